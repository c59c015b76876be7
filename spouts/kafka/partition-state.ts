/**
 * What the spout knows about one assigned partition, and the message id its tuples carry.
 * A partition assigned again after a revocation gets a new state with a new epoch, so an ack
 * for a tuple of the old assignment can be recognised and ignored: its offset belongs to
 * whichever consumer owns the partition now.
 */
import { originOf } from '../source-record.js';
import { OffsetTracker } from './offset-tracker.js';
import type { SourceMessage, TopicPartition } from './source.js';

/**
 * `starting`: paused while its start offset is worked out (and its lease acquired); `ready`:
 * read; `fenced`: paused because a newer writer holds its lease, until the group assigns it
 * again; `revoked`: gone.
 */
export type PartitionStatus = 'starting' | 'ready' | 'fenced' | 'revoked';

/** The key of a partition in maps and logs: `topic/partition`. */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

export class PartitionState implements TopicPartition {
  readonly key: string;
  status: PartitionStatus = 'starting';
  readonly offsets = new OffsetTracker();
  /** Records of this partition waiting in the buffer. */
  buffered = 0;
  /** What the consumer was last told; undefined forces the next flow update to say it again. */
  paused: boolean | undefined = undefined;
  /** The partition's end offset at the last fetch. */
  highWatermark: number | undefined;
  /** The lease its records are read under (with a fence), emitted with each record; else null. */
  lease: string | null = null;
  /** When it was last found fenced (epoch ms). */
  fencedAt = 0;

  constructor(
    readonly topic: string,
    readonly partition: number,
    /** Distinguishes this assignment from earlier ones of the same partition. */
    readonly epoch: number,
  ) {
    this.key = partitionKey(topic, partition);
  }

  get revoked(): boolean {
    return this.status === 'revoked';
  }

  /** Records between the read position and the end of the partition, when both are known. */
  lag(): number {
    const next = this.offsets.nextOffset;
    return next === undefined || this.highWatermark === undefined ? 0 : Math.max(0, this.highWatermark - next);
  }
}

/**
 * The message id of a tuple the spout emits with at-least-once. It holds the raw record, so a
 * retry decodes it afresh, and counts the record's failures.
 */
export class KafkaMessageId {
  /** Times the tuple tree of this record failed. */
  failures = 0;

  constructor(
    readonly partition: PartitionState,
    readonly offset: number,
    readonly message: SourceMessage,
    /** `record`: a record on its stream; `error`: the record on the `errors` stream. */
    readonly kind: 'record' | 'error',
    /** The `errors` stream values, for `kind: 'error'`. */
    readonly errorValues?: readonly unknown[],
  ) {}

  get epoch(): number {
    return this.partition.epoch;
  }

  /** `topic/partition@offset`. */
  toString(): string {
    return originOf(this.partition.topic, this.partition.partition, this.offset);
  }
}
