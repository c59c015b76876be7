/**
 * File sources.
 *
 * @example
 * ```ts
 * topology('lines').spout('input', {
 *   create: ({ config }) => new NdjsonFileSpout({ path: String(config.input) }),
 *   outputs: FILE_SPOUT_OUTPUTS,
 * });
 * ```
 */
export { NdjsonFileSpout, FILE_SPOUT_OUTPUTS } from './ndjson-file-spout.js';
export type { NdjsonFileSpoutOptions } from './ndjson-file-spout.js';
export { LineReader } from './line-reader.js';
