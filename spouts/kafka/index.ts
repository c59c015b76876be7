/**
 * The Kafka spout (on kafkajs) and a small producer.
 *
 * @example
 * ```ts
 * import { topology, shuffle } from '../../core/index.js';
 * import { KafkaSpout, kafkaSpoutOutputs } from '../../spouts/kafka/index.js';
 *
 * export default topology('webrequest')
 *   .spout('kafka', {
 *     parallelism: 2,
 *     create: () => new KafkaSpout({ brokers: ['127.0.0.1:9092'], groupId: 'refine', topics: ['webrequest_text'] }),
 *     outputs: kafkaSpoutOutputs(),
 *   })
 *   .bolt('refine', { create: () => new RefineBolt(), inputs: [{ from: 'kafka', grouping: shuffle() }] })
 *   .build();
 * ```
 */
export { KafkaSpout } from './kafka-spout.js';
export { describeFailure } from './record-emitter.js';
export type { KafkaSpoutState } from './kafka-spout.js';
export { compileKafkaSpoutOptions } from './compile-options.js';
export { DEFAULT_KAFKA_SPOUT_OPTIONS } from './options.js';
export type {
  KafkaSpoutOptions,
  KafkaSpoutRetryOptions,
  KafkaSpoutConfig,
  ProcessingGuarantee,
  ValueFormat,
  StartOffsetsHook,
  StartOffsetsInfo,
} from './options.js';
export { KAFKA_RECORD_FIELDS, KAFKA_ERROR_FIELDS, kafkaSpoutOutputs } from './outputs.js';
export { DEFAULT_STREAM, ERRORS_STREAM, StreamRouter } from './stream-router.js';
export type { TopicStreams } from './stream-router.js';
export { FIRST_POLL_OFFSET_STRATEGIES, firstPollSeek, resetsToEarliest } from './first-poll.js';
export type { FirstPollOffsetStrategy } from './first-poll.js';
export { jsonDecoder, stringDecoder, bufferDecoder, avroDecoder, RecordDecodeError } from './decoders.js';
export type { RecordDecoder } from './decoders.js';
export { OffsetTracker } from './offset-tracker.js';
export type { CommitPoint } from './offset-tracker.js';
export { ExponentialBackoff, RetryQueue } from './retry-policy.js';
export type { BackoffSettings } from './retry-policy.js';
export { KafkaMessageId } from './partition-state.js';
export type { RecordHeaders } from './record-values.js';
export { KafkaErrorCodes } from './errors.js';
export type { KafkaErrorCode } from './errors.js';
export { kafkajsSource } from './kafkajs-source.js';
export { MemoryKafkaSource } from './memory-source.js';
export type { MemoryKafkaSourceOptions } from './memory-source.js';
export { kafkajsLogCreator } from './log-bridge.js';
export type {
  KafkaSource,
  KafkaSourceConfig,
  KafkaSourceFactory,
  SourceListener,
  SourceBatch,
  SourceMessage,
  SourceHeaders,
  TopicPartition,
  TopicPartitionOffset,
} from './source.js';
export { produceLines, PRODUCER_COMPRESSIONS } from './producer.js';
export type { ProduceLinesOptions, ProduceReport, ProducedRecord, ProducerCompression } from './producer.js';
export { KAFKA_CODECS, registerKafkaCodecs, unregisterKafkaCodec, kafkaCodecSupport, canCompress } from './codecs.js';
export type { KafkaCodecName, KafkaCodecSupport } from './codecs.js';
export { ensureTopic } from './topic-admin.js';
