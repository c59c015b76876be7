/**
 * Loads a topology file: type-checks it (so a mistake is shown as file:line before anything
 * runs), imports it, and takes its default export: a definition, a builder, or a function of
 * the config that returns either.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type ConfigKeys, ErrorCodes, SquallError, TopologyBuilder, type TopologyDefinition, isConfigurable } from '../../core/index.js';

/** A topology file that cannot be used, with every diagnostic as `file:line:col message`. */
export class TopologyLoadError extends SquallError {
  readonly diagnostics: readonly string[];
  constructor(message: string, diagnostics: readonly string[] = [], cause?: unknown) {
    super(ErrorCodes.TOPOLOGY_LOAD, diagnostics.length > 0 ? `${message}\n${diagnostics.map((d) => `  ${d}`).join('\n')}` : message, { cause });
    this.name = 'TopologyLoadError';
    this.diagnostics = diagnostics;
  }
}

/** Type-checks `file` and what it imports (outside node_modules). Returns formatted errors. */
export async function typecheck(file: string): Promise<string[]> {
  const ts = (await import('typescript')).default;
  let options: import('typescript').CompilerOptions = {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
  };
  const configPath = ts.findConfigFile(dirname(file), (p) => ts.sys.fileExists(p));
  if (configPath !== undefined) {
    const read = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
    const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(configPath));
    options = { ...parsed.options, noEmit: true };
  }
  // Incremental: what did not change since the last check of this file is not checked again.
  const cacheDir = join(tmpdir(), 'squall-typecheck');
  mkdirSync(cacheDir, { recursive: true });
  const tsBuildInfoFile = join(cacheDir, `${createHash('sha256').update(file).digest('hex').slice(0, 16)}.tsbuildinfo`);
  const builder = ts.createIncrementalProgram({ rootNames: [file], options: { ...options, incremental: true, tsBuildInfoFile, noEmit: true } });
  const diagnostics = [...builder.getConfigFileParsingDiagnostics(), ...builder.getSyntacticDiagnostics(), ...builder.getGlobalDiagnostics(), ...builder.getSemanticDiagnostics()]
    .filter((d) => !d.file || !d.file.fileName.includes('/node_modules/'));
  builder.emit();
  return diagnostics
    .filter((d) => d.category === ts.DiagnosticCategory.Error)
    .map((d) => {
      const text = ts.flattenDiagnosticMessageText(d.messageText, '\n    ');
      if (d.file === undefined || d.start === undefined) return `error TS${d.code}: ${text}`;
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      return `${relative(process.cwd(), d.file.fileName)}:${line + 1}:${character + 1} - error TS${d.code}: ${text}`;
    });
}

export interface LoadOptions {
  /** Type-check before importing. @default true */
  readonly typecheck?: boolean;
  /** Passed to a default export that is a function of the config. */
  readonly config?: Readonly<Record<string, unknown>>;
}

function isDefinition(value: unknown): value is TopologyDefinition {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'squall.topology';
}

async function importDefault(path: string): Promise<unknown> {
  const file = resolve(path);
  try {
    return ((await import(pathToFileURL(file).href)) as { default?: unknown }).default;
  } catch (error) {
    if (error instanceof SquallError) throw error;
    const message = (error as Error)?.message ?? String(error);
    throw new TopologyLoadError(`topology file '${path}' could not be loaded: ${message}`, [], error);
  }
}

/**
 * Loads the topology a file default-exports. When it declares its config keys (`configurable`),
 * `options.config` is checked against them first, and a bad key or value throws
 * `SQUALL_ERR_INVALID_CONFIG` before the topology is made.
 */
export async function loadTopology(path: string, options: LoadOptions = {}): Promise<TopologyDefinition> {
  const file = resolve(path);
  if (!existsSync(file)) throw new TopologyLoadError(`topology file '${path}' does not exist`);
  if (options.typecheck !== false) {
    const errors = await typecheck(file);
    if (errors.length > 0) throw new TopologyLoadError(`topology file '${path}' has ${errors.length} error${errors.length === 1 ? '' : 's'}:`, errors);
  }
  let value = await importDefault(path);
  if (isConfigurable(value)) return value.make(options.config, path);
  if (typeof value === 'function') value = await (value as (config: Readonly<Record<string, unknown>>) => unknown)(options.config ?? {});
  if (value instanceof TopologyBuilder) value = value.build();
  if (!isDefinition(value)) {
    throw new TopologyLoadError(
      `topology file '${path}' must default-export a topology: \`export default topology('name').spout(...).bolt(...).build()\`, a function (config) => topology, or configurable(keys, (config) => topology)`,
    );
  }
  return value;
}

/** The config keys a topology file declares, without type-checking it or making the topology; undefined when it declares none. */
export async function loadConfigKeys(path: string): Promise<ConfigKeys | undefined> {
  if (!existsSync(resolve(path))) throw new TopologyLoadError(`topology file '${path}' does not exist`);
  const value = await importDefault(path);
  return isConfigurable(value) ? value.configKeys : (value as { configKeys?: ConfigKeys } | undefined)?.configKeys;
}
