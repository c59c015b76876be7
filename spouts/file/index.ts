/**
 * File sources: one file, a directory or glob of rotated logs (plain, gzip or zstd), or stdin.
 *
 * @example
 * ```ts
 * topology('lines').spout('input', {
 *   create: ({ config }) => new NdjsonFileSpout({ path: String(config.input), follow: config.follow === true }),
 *   outputs: SOURCE_OUTPUTS,
 * });
 * ```
 */
export { NdjsonFileSpout } from './ndjson-file-spout.js';
export { NDJSON_FILE_SPOUT_DEFAULTS, compileNdjsonFileSpoutOptions } from './file-spout-options.js';
export type { NdjsonFileSpoutOptions, CompiledNdjsonFileSpoutOptions } from './file-spout-options.js';
export type { StartOffsetsHook } from './file-input-cursor.js';
export type { SourceStateStore } from './file-source-state.js';
export { FileInputErrorCodes, FileReadError } from './file-read-error.js';
export { detectCompression } from './compression.js';
export type { Compression } from './compression.js';
export { fileIdentity, sourceTopic } from './file-identity.js';
export { LineReader } from './line-reader.js';
