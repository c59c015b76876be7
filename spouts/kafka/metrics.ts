/**
 * The spout's metrics, registered on its task's `context.metrics` (so they carry topology,
 * component and task labels). No label ever holds a record value or key. The per-partition
 * gauges are labelled with the topic and partition number: both come from the subscription and
 * the topic's partition count, never from a record, so their number is bounded.
 */
import type { Counter, MetricGroup } from '../../core/index.js';

/** What a partition gauge reads: the partition's state while this task holds it. */
export interface PartitionReading {
  lag(): number;
  readonly offsets: { readonly committedOffset: number | undefined };
}

/** Live values the gauges read when exported. */
export interface KafkaSpoutGauges {
  buffered(): number;
  uncommitted(): number;
  inFlight(): number;
  assigned(): number;
  paused(): number;
  lag(): number;
}

export class KafkaSpoutMetrics {
  readonly polled: Counter;
  readonly emitted: Counter;
  readonly errorsDecode: Counter;
  readonly errorsRetries: Counter;
  readonly errorsRouting: Counter;
  readonly retries: Counter;
  readonly acked: Counter;
  readonly staleCallbacks: Counter;
  readonly commits: Counter;
  readonly commitFailures: Counter;
  readonly committedOffsets: Counter;
  readonly rebalances: Counter;
  readonly revokedPartitions: Counter;
  readonly fencedPartitions: Counter;
  readonly fencedRecords: Counter;
  readonly consumerCrashes: Counter;
  readonly consumerRestarts: Counter;

  readonly #group: MetricGroup;

  constructor(group: MetricGroup, gauges: KafkaSpoutGauges) {
    this.#group = group;
    this.polled = group.counter('kafka_spout_records_polled_total', 'Records taken from Kafka into the spout buffer');
    this.emitted = group.counter('kafka_spout_records_emitted_total', 'Records emitted on their stream, retries included');
    const errors = (reason: string) => group.counter('kafka_spout_error_records_total', 'Records sent to the errors stream, by reason', { reason });
    this.errorsDecode = errors('decode');
    this.errorsRetries = errors('retries_exhausted');
    this.errorsRouting = errors('routing');
    this.retries = group.counter('kafka_spout_retries_total', 'Failed records scheduled for another try');
    this.acked = group.counter('kafka_spout_acked_total', 'Offsets marked done by an ack');
    this.staleCallbacks = group.counter('kafka_spout_stale_callbacks_total', 'Acks and fails for partitions no longer assigned, ignored');
    this.commits = group.counter('kafka_spout_commits_total', 'Successful offset commits');
    this.commitFailures = group.counter('kafka_spout_commit_failures_total', 'Failed offset commits (retried by the next commit)');
    this.committedOffsets = group.counter('kafka_spout_committed_offsets_total', 'Taken offsets covered by commits');
    this.rebalances = group.counter('kafka_spout_rebalances_total', 'Group joins (assignments received)');
    this.revokedPartitions = group.counter('kafka_spout_revoked_partitions_total', 'Partitions revoked by rebalances');
    this.fencedPartitions = group.counter('kafka_spout_fenced_partitions_total', 'Partitions this task stopped reading because a newer writer holds their lease');
    this.fencedRecords = group.counter('kafka_spout_fenced_records_total', 'Failed tuples whose sink refused them as fenced: not retried, the newer owner writes them');
    this.consumerCrashes = group.counter('kafka_spout_consumer_crashes_total', 'Crashes of the Kafka consumer, restarted or not');
    this.consumerRestarts = group.counter('kafka_spout_consumer_restarts_total', 'Restarts of the Kafka consumer after a retriable crash (each after its backoff)');
    group.gauge('kafka_spout_buffered_records', 'Records fetched and waiting to be emitted', {}, gauges.buffered);
    group.gauge('kafka_spout_uncommitted_offsets', 'Offsets taken and not yet committed, over assigned partitions', {}, gauges.uncommitted);
    group.gauge('kafka_spout_inflight_offsets', 'Offsets taken and not yet acked, over assigned partitions', {}, gauges.inFlight);
    group.gauge('kafka_spout_assigned_partitions', 'Partitions assigned to this task', {}, gauges.assigned);
    group.gauge('kafka_spout_paused_partitions', 'Assigned partitions whose fetching is paused', {}, gauges.paused);
    group.gauge('kafka_spout_lag_records', 'Records between the read position and the end of each assigned partition, summed', {}, gauges.lag);
  }

  /**
   * Gauges of one partition: its lag and committed offset. `state` gives the partition's state
   * while this task holds it; once revoked, the lag reads 0 and the offset stays the last known.
   */
  partition(topic: string, partition: number, state: () => PartitionReading | undefined): void {
    const labels = { topic, partition: String(partition) };
    let lastCommitted = -1;
    this.#group.gauge('kafka_spout_partition_lag_records', 'Records between the read position and the end of the partition', labels, () => state()?.lag() ?? 0);
    this.#group.gauge('kafka_spout_partition_committed_offset', 'The offset last committed for the partition (the next to read); -1 before any commit', labels, () => (lastCommitted = state()?.offsets.committedOffset ?? lastCommitted));
  }
}
