/** Options of the file spout: what users set, the defaults, and the one function that checks them. */
import type { Readable } from 'node:stream';
import { ErrorCodes, SquallError } from '../../core/index.js';
import type { StartOffsetsHook } from './file-input-cursor.js';
import type { SourceStateStore } from './file-source-state.js';

export interface NdjsonFileSpoutOptions {
  /**
   * What to read: a file, a directory (its files in name order), a glob with wildcards in its
   * last part (`logs/webrequest-*.gz`), or `-` for stdin. Files may be plain, gzip or zstd.
   */
  readonly path: string;
  /** Keep reading: pick up files that appear later, and lines appended to the newest file. @default false */
  readonly follow?: boolean;
  /** How often a followed directory is listed, and a followed file looked at for more lines. @default 1000 ms */
  readonly pollIntervalMs?: number;
  /** Times a failed line is emitted again before it goes to `errors`. @default 3 */
  readonly maxRetries?: number;
  /** Emit without message ids (at-most-once). @default false */
  readonly untracked?: boolean;
  /**
   * Where to remember, between runs, how far each file is done (the file source's consumer
   * offsets). Without it each run starts every file at `startOffsets`, or at its first line.
   */
  readonly state?: SourceStateStore;
  /** How often that state is saved while the run goes on (and always at the close). @default 1000 ms */
  readonly stateSaveIntervalMs?: number;
  /**
   * Where each file starts, given where the state says it is done: with the exactly-once sink,
   * `resumeAfterCommitted(fs, root)` (as for the Kafka spout), which skips what is committed.
   */
  readonly startOffsets?: StartOffsetsHook;
  /**
   * The source topics the output already holds (the sink's committed keys). A file the state does
   * not know (the state was lost) is then still found under the name it was first read by.
   */
  readonly knownTopics?: () => Promise<Iterable<string>>;
  /** The stream `-` reads. @default process.stdin */
  readonly stdin?: Readable;
}

/** The defaults of {@link NdjsonFileSpoutOptions}. */
export const NDJSON_FILE_SPOUT_DEFAULTS = Object.freeze({
  follow: false,
  pollIntervalMs: 1000,
  maxRetries: 3,
  untracked: false,
  stateSaveIntervalMs: 1000,
});

export type CompiledNdjsonFileSpoutOptions = Readonly<typeof NDJSON_FILE_SPOUT_DEFAULTS> & Omit<NdjsonFileSpoutOptions, keyof typeof NDJSON_FILE_SPOUT_DEFAULTS>;

const invalid = (message: string) => new SquallError(ErrorCodes.INVALID_CONFIG, message);

/** Merges `options` over the defaults and checks them. */
export function compileNdjsonFileSpoutOptions(options: NdjsonFileSpoutOptions): CompiledNdjsonFileSpoutOptions {
  if (typeof options?.path !== 'string' || options.path.length === 0) {
    throw invalid('the file spout needs a path: set -c input=<file, directory or glob>, or -c input=- for stdin');
  }
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const o = { ...NDJSON_FILE_SPOUT_DEFAULTS, ...defined } as CompiledNdjsonFileSpoutOptions;
  if (typeof o.follow !== 'boolean') throw invalid(`follow must be true or false, got ${JSON.stringify(o.follow)}`);
  for (const key of ['pollIntervalMs', 'stateSaveIntervalMs'] as const) {
    if (!(Number.isFinite(o[key]) && o[key] > 0)) throw invalid(`${key} must be a positive number of milliseconds, got ${String(o[key])}`);
  }
  if (!(o.maxRetries === Infinity || (Number.isInteger(o.maxRetries) && o.maxRetries >= 0))) throw invalid(`maxRetries must be a whole number, got ${String(o.maxRetries)}`);
  if (o.path === '-' && o.follow) throw invalid('follow reads files that appear in a directory; stdin is read to its end anyway: drop --follow with -c input=-');
  return o;
}
