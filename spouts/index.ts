/**
 * Squall's sources. Each emits the same record shape (`SOURCE_RECORD_FIELDS`, Kafka's), so
 * parsers and sinks work over any of them.
 *
 * @example
 * ```ts
 * topology('copy').spout('input', {
 *   create: ({ config }) => new NdjsonFileSpout({ path: String(config.input) }),
 *   outputs: SOURCE_OUTPUTS,
 * });
 * ```
 */
export { SOURCE_RECORD_FIELDS, SOURCE_ERROR_FIELDS, SOURCE_OUTPUTS, originOf } from './source-record.js';
export { NdjsonFileSpout, LineReader } from './file/index.js';
export type { NdjsonFileSpoutOptions } from './file/index.js';
export { GeneratorSpout, WebrequestGenerator } from './generator/index.js';
export type { GeneratorSpoutOptions, WebrequestGeneratorOptions } from './generator/index.js';
export { KafkaSpout, kafkaSpoutOutputs, produceLines, ensureTopic } from './kafka/index.js';
export type { KafkaSpoutOptions } from './kafka/index.js';
export { ReplayBuffer } from './replay-buffer.js';
