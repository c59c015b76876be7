/**
 * The Kafka spout's options: what users set ({@link KafkaSpoutOptions}), the frozen defaults
 * ({@link DEFAULT_KAFKA_SPOUT_OPTIONS}) and the complete form the spout runs with
 * ({@link KafkaSpoutConfig}, made by `compileKafkaSpoutOptions`).
 */
import type { Type } from 'avsc';
import type { PartitionFence } from '../../core/index.js';
import type { RecordDecoder } from './decoders.js';
import type { FirstPollOffsetStrategy } from './first-poll.js';
import type { BackoffSettings } from './retry-policy.js';
import type { KafkaSourceFactory } from './source.js';
import type { StreamRouter, TopicStreams } from './stream-router.js';

/**
 * What the spout promises about each record, as Storm's `ProcessingGuarantee`:
 * - `at-least-once`: emit with a message id; commit only offsets whose tuples were acked (or
 *   sent to `errors`); replay failures. Replays may duplicate.
 * - `at-most-once`: commit a record's offset before emitting it, without a message id.
 * - `none`: emit without a message id and commit periodically, whatever happens downstream.
 */
export type ProcessingGuarantee = 'at-least-once' | 'at-most-once' | 'none';

/** How record values are decoded into the tuple's `value`. */
export type ValueFormat = 'json' | 'string' | 'buffer' | { readonly avro: Type } | RecordDecoder;

/** What a {@link StartOffsetsHook} is told about the partition. */
export interface StartOffsetsInfo {
  /** The consumer group's committed offset of the partition, or undefined when it has none. */
  readonly committedOffset: string | undefined;
}

/**
 * Called when a partition is assigned, before it is read. Return the offset to read from (a
 * decimal string, such as an exactly-once sink's next uncommitted offset), or undefined to use
 * the first-poll strategy. A rejection is retried with the retry backoff while the partition
 * stays paused.
 */
export type StartOffsetsHook = (topic: string, partition: number, info: StartOffsetsInfo) => Promise<string | undefined>;

/** Retry of failed tuples (at-least-once only). */
export interface KafkaSpoutRetryOptions {
  /** Delay before the first retry, in ms. @default 100 */
  readonly initialDelayMs?: number;
  /** Each further retry waits this many times longer. @default 2 */
  readonly multiplier?: number;
  /** Longest delay between retries, in ms. @default 10000 */
  readonly maxDelayMs?: number;
  /**
   * Retries after the first failure. Once they are used up the record goes to the `errors`
   * stream with the last failure's reason, and its offset counts as done. `Infinity` retries
   * forever. @default 5
   */
  readonly maxRetries?: number;
}

/** Options of a {@link KafkaSpout}. Set `topics` or `pattern`, not both. */
export interface KafkaSpoutOptions {
  /** Bootstrap brokers, as `host:port`. */
  readonly brokers: readonly string[];
  /** The consumer group. Tasks of one spout share it; Kafka spreads partitions over them. */
  readonly groupId: string;
  /** The client id brokers see. @default 'squall' */
  readonly clientId?: string;
  /** Topics to read. */
  readonly topics?: readonly string[];
  /** Read every topic whose name matches, among those that exist when the spout opens. */
  readonly pattern?: RegExp;
  /** Where partitions start; see `first-poll.ts`. @default 'uncommitted-earliest' */
  readonly firstPollOffsetStrategy?: FirstPollOffsetStrategy;
  /** @default 'at-least-once' */
  readonly processingGuarantee?: ProcessingGuarantee;
  /**
   * Offsets of one partition that may be taken but not yet committed (at-least-once). At the
   * limit the partition is paused until a commit moves past acked offsets; this bounds both
   * memory and replay after a crash. Once half of it is acked and uncommitted, the spout
   * commits without waiting for `commitIntervalMs`. @default 10000
   */
  readonly maxUncommittedOffsets?: number;
  readonly retry?: KafkaSpoutRetryOptions;
  /** How often acked offsets are committed, in ms. @default 2000 */
  readonly commitIntervalMs?: number;
  /** @default 'json' */
  readonly valueFormat?: ValueFormat;
  /** Topic → stream routing. @default every topic to `default` */
  readonly streams?: TopicStreams;
  readonly startOffsets?: StartOffsetsHook;
  /**
   * Exactly-once across rebalances and pauses: the fence of the sink's output (the HDFS sink's
   * `OutputPartitionFence`). Each assigned partition is acquired through it before it is read
   * (fencing its earlier writers; it also says where to start, so `startOffsets` is not used
   * with it), every record carries the lease in its `lease` field, a revoked partition's lease
   * is released, and a partition whose records the sink refuses as fenced stops being read
   * until the group assigns it again. See docs/exactly-once.md.
   */
  readonly fence?: PartitionFence;
  /**
   * With a fence: how long a partition this member holds stays fenced before a heartbeat the
   * group answers makes the spout acquire it again. @default 5000
   */
  readonly fenceRetryMs?: number;
  /** Records fetched and waiting to be emitted, over all partitions; full pauses fetching. @default 4096 */
  readonly maxBufferedRecords?: number;
  /** How long `nextTuple` waits for records when none are buffered, in ms. @default 100 */
  readonly pollTimeoutMs?: number;
  /** How long `close` may take to commit and leave the group, in ms. @default 5000 */
  readonly closeTimeoutMs?: number;
  /** The group drops a member silent this long, in ms. @default 30000 */
  readonly sessionTimeoutMs?: number;
  /** Heartbeat interval, in ms; about a third of `sessionTimeoutMs`. @default 3000 */
  readonly heartbeatIntervalMs?: number;
  /** Most bytes one fetch returns per partition. @default 1048576 */
  readonly maxBytesPerPartition?: number;
  /**
   * How long a broker holds a fetch open waiting for data, in ms. Keep it short: kafkajs also
   * sleeps this long whenever every assigned partition is paused (a full buffer), so a long wait
   * stalls the spout after each pause. New records are returned at once whatever it is.
   * @default 100
   */
  readonly fetchMaxWaitMs?: number;
  /** Replaces the kafkajs consumer, for tests or another client. @default kafkajs */
  readonly source?: KafkaSourceFactory;
}

/** Defaults of {@link KafkaSpoutOptions}; units and meaning are documented there. */
export const DEFAULT_KAFKA_SPOUT_OPTIONS = Object.freeze({
  clientId: 'squall',
  firstPollOffsetStrategy: 'uncommitted-earliest' as FirstPollOffsetStrategy,
  processingGuarantee: 'at-least-once' as ProcessingGuarantee,
  maxUncommittedOffsets: 10_000,
  retry: Object.freeze({ initialDelayMs: 100, multiplier: 2, maxDelayMs: 10_000, maxRetries: 5 }),
  commitIntervalMs: 2_000,
  valueFormat: 'json' as ValueFormat,
  maxBufferedRecords: 4_096,
  pollTimeoutMs: 100,
  closeTimeoutMs: 5_000,
  sessionTimeoutMs: 30_000,
  heartbeatIntervalMs: 3_000,
  maxBytesPerPartition: 1_048_576,
  fetchMaxWaitMs: 100,
  fenceRetryMs: 5_000,
});

/** The complete, validated settings a spout runs with. */
export interface KafkaSpoutConfig {
  readonly brokers: readonly string[];
  readonly groupId: string;
  readonly clientId: string;
  /** `topics`, or `[pattern]`. */
  readonly subscription: readonly (string | RegExp)[];
  /** The listed topics, or undefined with a pattern. */
  readonly topics: readonly string[] | undefined;
  readonly firstPollOffsetStrategy: FirstPollOffsetStrategy;
  readonly processingGuarantee: ProcessingGuarantee;
  readonly maxUncommittedOffsets: number;
  readonly retry: BackoffSettings;
  readonly commitIntervalMs: number;
  readonly decoder: RecordDecoder;
  readonly router: StreamRouter;
  readonly startOffsets: StartOffsetsHook | undefined;
  readonly fence: PartitionFence | undefined;
  readonly fenceRetryMs: number;
  readonly maxBufferedRecords: number;
  readonly pollTimeoutMs: number;
  readonly closeTimeoutMs: number;
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly maxBytesPerPartition: number;
  readonly fetchMaxWaitMs: number;
  readonly source: KafkaSourceFactory | undefined;
}
