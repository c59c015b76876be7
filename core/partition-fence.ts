/**
 * Fencing a source partition's output by ownership: the contract between a source that reads a
 * partition (the Kafka spout) and a sink that commits what it read (the HDFS sink).
 *
 * A source that is assigned a partition first *acquires* it: the fence makes every earlier
 * writer of that partition unable to commit from then on, and only then says where reading
 * should start (after what the output already holds). Every record the source emits carries
 * the lease it was read under, and the sink commits a record only under that lease. A writer
 * that was paused while its partition moved (a zombie) finds its lease fenced, and its commit
 * is refused with `SQUALL_ERR_PARTITION_FENCED`. See docs/exactly-once.md.
 *
 * @example
 * ```ts
 * const lease = await fence.acquire('webrequest_text', 3, { committedOffset: '1200' });
 * if ('superseded' in lease) pauseUntilTheGroupSettles();
 * else seek(lease.startOffset ?? committedOffset), emitting every record with lease.lease;
 * ```
 */

/** What a source knows of a partition when it acquires it. */
export interface PartitionPosition {
  /** The consumer group's committed offset, or undefined when it has none. */
  readonly committedOffset: string | undefined;
}

/** A partition acquired: its lease, and where to read from. */
export interface PartitionLease {
  /** Opaque to the source; emitted with each record in the `lease` field. */
  readonly lease: string;
  /**
   * The first offset the output does not hold, counted from `committedOffset`; undefined when
   * the output holds nothing of the partition and there is no committed offset.
   */
  readonly startOffset: number | undefined;
}

/** A newer writer acquired the partition while this one was acquiring it. */
export interface PartitionSuperseded {
  /** The newer writer's lease. */
  readonly superseded: string;
}

/** Ownership of source partitions, held in the storage a sink commits to. */
export interface PartitionFence {
  /** Where the leases live, for logs: `webhdfs://host/path` or a local path. */
  readonly description: string;
  /**
   * Takes the partition from every earlier writer (none of them can commit afterwards), then
   * reads what the output holds of it. Rejects (retriable) when the storage cannot be reached.
   */
  acquire(topic: string, partition: number, position: PartitionPosition): Promise<PartitionLease | PartitionSuperseded>;
  /** True while `lease` is the partition's newest lease. */
  holds(topic: string, partition: number, lease: string): Promise<boolean>;
  /** Gives up a lease: nothing more commits under it. Safe to call for a lease already fenced. */
  release(topic: string, partition: number, lease: string): Promise<void>;
}

/** True for the answer of an acquisition that a newer writer won. */
export function isSuperseded(result: PartitionLease | PartitionSuperseded): result is PartitionSuperseded {
  return 'superseded' in result;
}
