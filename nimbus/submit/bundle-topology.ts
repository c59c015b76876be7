/**
 * Makes a topology file into one JavaScript file to submit: esbuild bundles the file and its own
 * helpers, and leaves out Squall and npm packages. Imports of Squall's modules become
 * `squall:<path in the install>` and packages stay bare, so the worker resolves both from its own
 * install (worker/topology/bundle-loader.ts). The file is type-checked first, so a mistake is
 * shown as file:line and nothing is submitted.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { build } from 'esbuild';
import { FRAMEWORK_FOLDERS, FRAMEWORK_PREFIX, SQUALL_ROOT, TopologyLoadError, typecheck } from '../../worker/index.js';

export interface TopologyBundle {
  /** The bundle's JavaScript (ESM). */
  readonly code: string;
  /** The topology file it was made from, as given. */
  readonly source: string;
}

/** The path of `file` inside the install when it is one of Squall's own modules, else undefined. */
function frameworkPath(file: string): string | undefined {
  const path = relative(SQUALL_ROOT, file);
  if (path.startsWith('..') || isAbsolute(path)) return undefined;
  return FRAMEWORK_FOLDERS.includes(path.split('/')[0]!) ? path : undefined;
}

export async function bundleTopology(path: string, options: { typecheck?: boolean } = {}): Promise<TopologyBundle> {
  const file = resolve(path);
  if (!existsSync(file)) throw new TopologyLoadError(`topology file '${path}' does not exist`);
  if (options.typecheck !== false) {
    const errors = await typecheck(file);
    if (errors.length > 0) throw new TopologyLoadError(`topology file '${path}' has ${errors.length} error${errors.length === 1 ? '' : 's'}:`, errors);
  }
  try {
    const result = await build({
      entryPoints: [file],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      logLevel: 'silent',
      plugins: [
        {
          name: 'squall-framework-external',
          setup(b) {
            b.onResolve({ filter: /^[./]/ }, (args) => {
              const target = frameworkPath(resolve(args.resolveDir, args.path));
              return target === undefined ? undefined : { path: `${FRAMEWORK_PREFIX}${target}`, external: true };
            });
          },
        },
      ],
    });
    return { code: result.outputFiles[0]!.text, source: path };
  } catch (error) {
    const errors = (error as { errors?: { text: string; location?: { file: string; line: number; column: number } }[] }).errors ?? [];
    const diagnostics = errors.map((e) => (e.location ? `${e.location.file}:${e.location.line}:${e.location.column + 1} - ${e.text}` : e.text));
    throw new TopologyLoadError(`topology file '${path}' could not be bundled:`, diagnostics, error);
  }
}
