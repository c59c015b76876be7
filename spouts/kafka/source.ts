/**
 * The port between the spout and a Kafka client: the few consumer operations the spout needs.
 * `kafkajs-source.ts` implements it with kafkajs; unit tests implement it in memory, so the
 * spout's logic (buffering, acking, commits, rebalances) is tested without a broker.
 */
import type { Logger } from '../../core/index.js';

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** An offset to commit: the next offset a consumer of the group will read. */
export interface TopicPartitionOffset extends TopicPartition {
  readonly offset: string;
}

/** Record headers as Kafka clients give them. */
export type SourceHeaders = Readonly<Record<string, Buffer | string | (Buffer | string)[] | undefined>>;

/** One fetched record. Offsets and timestamps are decimal strings, as kafkajs gives them. */
export interface SourceMessage {
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: string;
  readonly headers?: SourceHeaders;
}

/** Records fetched from one partition, in offset order. */
export interface SourceBatch {
  readonly topic: string;
  readonly partition: number;
  /** The partition's end offset when fetched, for lag. */
  readonly highWatermark: string;
  readonly messages: readonly SourceMessage[];
}

/** What the source tells the spout. Every call but `batch` is synchronous. */
export interface SourceListener {
  /**
   * A fetched batch. Returns (or resolves to, after waiting briefly for buffer space) how many
   * of its leading messages the spout took; the source must fetch the rest again later (after
   * `resume`) and deliver no other batch meanwhile.
   */
  batch(batch: SourceBatch): number | Promise<number>;
  /**
   * The group was joined, with this member id, and assigned these partitions. Called before any
   * batch of the new assignment is delivered.
   */
  assigned(memberId: string, assignment: Readonly<Record<string, readonly number[]>>): void;
  /** The group is rebalancing: a last chance to commit before partitions move. */
  rebalancing(): void;
  /** The group answered a heartbeat: this member is in its current generation. */
  heartbeat?(): void;
  /** The client crashed; `restarting` says whether it will rejoin by itself. */
  crashed(error: unknown, restarting: boolean): void;
}

/** Settings a source is created with. */
export interface KafkaSourceConfig {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly groupId: string;
  readonly topics: readonly (string | RegExp)[];
  /** Where a partition without a committed offset starts. */
  readonly fromBeginning: boolean;
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly maxBytesPerPartition: number;
  readonly fetchMaxWaitMs: number;
  /** Where the client's own log lines go (at warn and above). */
  readonly logger: Logger;
  /**
   * Asked before the client restarts itself after a retriable crash. Resolves true once it may
   * (after a backoff), false to stay down. @default restart at once
   */
  readonly beforeRestart?: (error: unknown) => Promise<boolean>;
}

/** A group consumer with manual commits. */
export interface KafkaSource {
  /** Connects, subscribes and joins the group; resolves once consuming. */
  start(listener: SourceListener): Promise<void>;
  pause(partitions: readonly TopicPartition[]): void;
  resume(partitions: readonly TopicPartition[]): void;
  /** Reads `partition` from `offset` on its next fetch. */
  seek(partition: TopicPartition, offset: string): void;
  commit(offsets: readonly TopicPartitionOffset[]): Promise<void>;
  /** The group's committed offset of every partition of `topic` (undefined where none). */
  committedOffsets(topic: string): Promise<readonly { partition: number; offset: string | undefined }[]>;
  /** The first and end offsets of every partition of `topic`. */
  watermarks(topic: string): Promise<readonly { partition: number; low: string; high: string }[]>;
  /** Leaves the group and disconnects. Safe to call twice. */
  stop(): Promise<void>;
}

/** Creates the source a spout task consumes through. */
export type KafkaSourceFactory = (config: KafkaSourceConfig) => KafkaSource;
