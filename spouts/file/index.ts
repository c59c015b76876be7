/**
 * File sources.
 *
 * @example
 * ```ts
 * topology('lines').spout('input', {
 *   create: ({ config }) => new NdjsonFileSpout({ path: String(config.input) }),
 *   outputs: SOURCE_OUTPUTS,
 * });
 * ```
 */
export { NdjsonFileSpout } from './ndjson-file-spout.js';
export type { NdjsonFileSpoutOptions } from './ndjson-file-spout.js';
export { LineReader } from './line-reader.js';
