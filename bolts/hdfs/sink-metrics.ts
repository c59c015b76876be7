/**
 * The HDFS sink's metrics, registered on the task's metric group (which adds the topology,
 * component and task labels). No label ever holds a path, a topic or an offset.
 */
import { type Counter, type Histogram, type MetricGroup, outputRecordCounters } from '../../core/index.js';

/** Why a record went to the `errors` stream, as the `reason` label of the errors counter. */
export type SinkErrorKind = 'bad_event_time' | 'bad_record' | 'bad_coordinates' | 'write_failed' | 'commit_failed' | 'encode_failed';

export interface SinkMetrics {
  readonly recordsWritten: Counter;
  readonly recordsCommitted: Counter;
  readonly recordsSkipped: Counter;
  readonly lateRecords: Counter;
  readonly filesCommitted: Counter;
  readonly bytesCommitted: Counter;
  readonly commitSeconds: Histogram;
  readonly partitionsFlagged: Counter;
  readonly fencedCommits: Counter;
  readonly fencedRecords: Counter;
  errors(kind: SinkErrorKind): Counter;
}

/** Commit latencies, in seconds: 1 ms to 2 min. */
const COMMIT_BUCKETS = Object.freeze([0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120]);

export function createSinkMetrics(group: MetricGroup, openFiles: () => number, heldTuples: () => number): SinkMetrics {
  group.gauge('hdfs_sink_open_files', 'Files being written and not yet committed', {}, openFiles);
  group.gauge('hdfs_sink_held_tuples', 'Tuples waiting for their file to be committed before they are acked', {}, heldTuples);
  const errorCounters = new Map<SinkErrorKind, Counter>();
  // At zero from the start, so that dashboards and /metrics show every reason.
  const kinds: SinkErrorKind[] = ['bad_event_time', 'bad_record', 'bad_coordinates', 'write_failed', 'commit_failed', 'encode_failed'];
  for (const kind of kinds) errorCounters.set(kind, group.counter('hdfs_sink_errors_total', 'Records sent to the errors stream, and writes or commits that failed', { reason: kind }));
  // Also counted as the output's records written or already held, for the run's summary.
  const records = outputRecordCounters(group);
  return {
    recordsWritten: counterPair(group.counter('hdfs_sink_records_written_total', 'Records written into files (acked once their file is committed)'), records.written),
    recordsCommitted: group.counter('hdfs_sink_records_committed_total', 'Records in committed files: what the output holds'),
    recordsSkipped: counterPair(group.counter('hdfs_sink_records_skipped_total', 'Records acked without writing because their offset is already committed'), records.held),
    lateRecords: group.counter('hdfs_sink_late_records_total', "Records for an output partition their source's watermark had already passed"),
    filesCommitted: group.counter('hdfs_sink_files_committed_total', 'Files committed by an atomic rename'),
    bytesCommitted: group.counter('hdfs_sink_bytes_committed_total', 'Bytes in committed files'),
    commitSeconds: group.histogram('hdfs_sink_commit_seconds', 'Time to commit one file: last write, sync, manifest and rename', {}, COMMIT_BUCKETS),
    partitionsFlagged: group.counter('hdfs_sink_partitions_flagged_total', 'Output partitions flagged complete with _SUCCESS'),
    fencedCommits: group.counter('hdfs_sink_fenced_commits_total', 'Files refused because their source partition moved to a newer lease (a newer owner fenced it)'),
    fencedRecords: group.counter('hdfs_sink_fenced_records_total', 'Tuples failed because they were read under a lease that a newer one has fenced'),
    errors(kind) {
      let c = errorCounters.get(kind);
      if (c === undefined) {
        c = group.counter('hdfs_sink_errors_total', 'Records sent to the errors stream, and writes or commits that failed', { reason: kind });
        errorCounters.set(kind, c);
      }
      return c;
    },
  };
}

/** A counter that also counts into a second one. */
function counterPair(first: Counter, second: Counter): Counter {
  return {
    get value() {
      return first.value;
    },
    inc(by = 1) {
      first.inc(by);
      second.inc(by);
    },
  };
}
