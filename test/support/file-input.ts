/**
 * For the file-input tests: generated varnishkafka lines written as plain, gzip and zstd files,
 * `nimbus local topologies/webrequest.ts` run over them as a user runs it (stdin included), and
 * the refined and error outputs read back and checked line by line against the input.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileIdentity } from '../../spouts/file/index.js';
import { WebrequestGenerator } from '../../spouts/generator/index.js';
import { REPO_ROOT } from './nimbus.js';

/** `count` generated lines, `seed` apart from other tests' lines, malformed ones included. */
export function generatedLines(count: number, seed: number): string[] {
  const generator = new WebrequestGenerator({ seed, hosts: 4, malformedShare: 0.02 });
  return Array.from({ length: count }, () => generator.nextLine());
}

export const ndjsonText = (lines: readonly string[]) => `${lines.join('\n')}\n`;

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly output: string;
}

/** A `nimbus local topologies/webrequest.ts` process writing NDJSON under `output`. */
export class WebrequestRun {
  readonly child: ChildProcess;
  output = '';
  readonly exited: Promise<RunResult>;

  /** `as` runs it as another user (root's tests run as nobody to meet a permission error). */
  constructor(input: string, output: string, extra: readonly string[] = [], stdin?: Buffer, as?: { readonly uid: number; readonly gid: number }) {
    const args = ['local', 'topologies/webrequest.ts', '--no-typecheck', '--status-interval', '0.2'];
    for (const c of [`input=${input}`, `output=${output}`, 'format=ndjson', 'threads=0']) args.push('-c', c);
    this.child = spawn(process.execPath, [join(REPO_ROOT, 'bin/nimbus.mjs'), ...args, ...extra], { cwd: REPO_ROOT, stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'], ...as });
    this.child.stdout!.on('data', (d: Buffer) => (this.output += d));
    this.child.stderr!.on('data', (d: Buffer) => (this.output += d));
    if (stdin) this.child.stdin!.end(stdin);
    this.exited = new Promise((resolve) => this.child.on('close', (code, signal) => resolve({ code, signal, output: this.output })));
  }

  /** Runs to its end. */
  static run(input: string, output: string, extra: readonly string[] = [], stdin?: Buffer): Promise<RunResult> {
    return new WebrequestRun(input, output, extra, stdin).exited;
  }
}

/** Every file under `dir`, recursively. */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const records = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** What a run wrote: refined records, and the error records of input lines. */
export interface Written {
  readonly refined: Record<string, unknown>[];
  readonly errors: Record<string, unknown>[];
}

export function readWritten(output: string): Written {
  const files = filesUnder(output);
  return {
    refined: files.filter((f) => /\/webrequest\/year=[^/]+\/month=[^/]+\/day=[^/]+\/hour=[^/]+\/part-[^/]+\.ndjson$/.test(f)).flatMap(records),
    // Late pageviews also go to errors, as counts of a page, not as input lines.
    errors: files
      .filter((f) => /\/errors\/errors-[^/]+\.ndjson$/.test(f))
      .flatMap(records)
      .filter((e) => e.from !== 'pageview-counts'),
  };
}

/** One input's lines, as the test wrote them (decompressed); `stdin` when they were piped in. */
export interface InputLines {
  readonly lines: readonly string[];
  readonly stdin?: boolean;
}

/** How a refined record is told apart: generated hosts count their own sequence, from 1, per run. */
const recordKey = (r: { hostname?: unknown; sequence?: unknown; dt?: unknown }) => `${String(r.hostname)}#${String(r.sequence)}#${String(r.dt)}`;

/**
 * Checks that every line of `inputs` is in the refined output or in the errors exactly once
 * (a refined record found by its host, sequence and time, an error by its origin: the file's
 * identity and the line number), and that nothing else is there.
 */
export function assertEveryLineOnce(inputs: readonly InputLines[], written: Written): void {
  const refined = new Map<string, number>();
  for (const r of written.refined) refined.set(recordKey(r), (refined.get(recordKey(r)) ?? 0) + 1);
  const errors = new Map<string, number>();
  for (const e of written.errors) {
    const m = /(?:#([0-9a-f]{16})|^stdin\.\w+)\/0@(\d+)$/.exec(String(e.origin));
    assert.ok(m, `error origin ${String(e.origin)} names a file source (or stdin) and a line`);
    const key = `${m[1] ?? 'stdin'}@${m[2]}`;
    errors.set(key, (errors.get(key) ?? 0) + 1);
  }
  let refinedLines = 0;
  let errorLines = 0;
  const problems: string[] = [];
  for (const input of inputs) {
    const identity = input.stdin ? 'stdin' : fileIdentity(input.lines[0]!);
    input.lines.forEach((line, i) => {
      let key: string | undefined;
      try {
        const parsed = JSON.parse(line) as unknown;
        key = parsed !== null && typeof parsed === 'object' ? recordKey(parsed) : undefined;
      } catch {
        key = undefined;
      }
      const r = key === undefined ? 0 : (refined.get(key) ?? 0);
      const e = errors.get(`${identity}@${i + 1}`) ?? 0;
      refinedLines += r;
      errorLines += e;
      if (r + e !== 1) problems.push(`line ${i + 1} of the file ${identity}: ${r} refined, ${e} errors`);
    });
  }
  assert.deepEqual(problems.slice(0, 10), [], `${problems.length} lines are not in the output exactly once`);
  assert.equal(written.refined.length, refinedLines, 'no refined record but those of the input lines');
  assert.equal(written.errors.length, errorLines, 'no error record but those of the input lines');
}
