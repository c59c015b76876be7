/**
 * What each task of a topology has done, read from the metric registry: the numbers a worker's
 * heartbeat carries to Nimbus, and local mode's API serves. Counts are the registry's exact
 * counters; latencies are the histograms' bucket counts, so that tasks and workers can be
 * merged before a percentile is taken.
 */
import { Histogram, type MetricRegistry } from './registry.js';

/** A latency histogram as plain numbers, over {@link DEFAULT_LATENCY_BUCKETS}. */
export interface LatencyCounts {
  count: number;
  /** Seconds. */
  sum: number;
  /** Non-cumulative counts per bucket; the last is +Inf. */
  counts: number[];
}

export interface TaskNumbers {
  readonly component: string;
  readonly task: number;
  kind: 'spout' | 'bolt';
  emitted: number;
  transferred: number;
  /** Records emitted on the `errors` stream (part of `emitted`). */
  errorRecords: number;
  executed: number;
  /** Spout: trees completed; bolt: tuples acked. */
  acked: number;
  /** By reason: error, explicit, timeout (spouts only). */
  failed: Record<string, number>;
  /** Spout: trees in flight. */
  pending: number;
  /** Bolt: tuples in its executor's receive queue (on the executor's first task). */
  queued: number;
  /** Bolt: Storm's capacity, 0 to 1. */
  capacity: number;
  executeSeconds: number;
  /** Spout: seconds not polled, by reason: max_pending, backpressure. */
  throttledSeconds: Record<string, number>;
  /** Spout: complete latency; bolt: execute and process latency. */
  latency: { complete?: LatencyCounts; execute?: LatencyCounts; process?: LatencyCounts };
}

type Reader = (n: TaskNumbers, value: number, labels: Readonly<Record<string, string>>) => void;

const ADD: Readonly<Record<string, Reader>> = {
  squall_emitted_total: (n, v, l) => {
    n.emitted += v;
    if (l.stream === 'errors') n.errorRecords += v;
  },
  squall_transferred_total: (n, v) => (n.transferred += v),
  squall_executed_total: (n, v) => (n.executed += v),
  squall_acked_total: (n, v) => (n.acked += v),
  squall_spout_acked_total: (n, v) => {
    n.kind = 'spout';
    n.acked += v;
  },
  squall_failed_total: (n, v, l) => (n.failed[l.reason ?? 'error'] = (n.failed[l.reason ?? 'error'] ?? 0) + v),
  squall_spout_failed_total: (n, v, l) => (n.failed[l.reason ?? 'error'] = (n.failed[l.reason ?? 'error'] ?? 0) + v),
  squall_spout_pending: (n, v) => (n.pending += v),
  squall_queue_size: (n, v) => (n.queued += v),
  squall_capacity: (n, v) => (n.capacity = v),
  squall_execute_seconds_total: (n, v) => (n.executeSeconds += v),
  squall_spout_throttled_seconds_total: (n, v, l) => (n.throttledSeconds[l.reason ?? 'other'] = (n.throttledSeconds[l.reason ?? 'other'] ?? 0) + v),
};

const LATENCY: Readonly<Record<string, 'complete' | 'execute' | 'process'>> = {
  squall_complete_latency_seconds: 'complete',
  squall_execute_latency_seconds: 'execute',
  squall_process_latency_seconds: 'process',
};

function emptyTask(component: string, task: number): TaskNumbers {
  return { component, task, kind: 'bolt', emitted: 0, transferred: 0, errorRecords: 0, executed: 0, acked: 0, failed: {}, pending: 0, queued: 0, capacity: 0, executeSeconds: 0, throttledSeconds: {}, latency: {} };
}

/** Every task of `topology` the registry has series of, in task order. */
export function taskSnapshot(registry: MetricRegistry, topology: string): TaskNumbers[] {
  const tasks = new Map<number, TaskNumbers>();
  const of = (labels: Readonly<Record<string, string>>): TaskNumbers | undefined => {
    if (labels.topology !== topology || labels.task === undefined || labels.component === undefined) return undefined;
    const id = Number(labels.task);
    let n = tasks.get(id);
    if (n === undefined) tasks.set(id, (n = emptyTask(labels.component, id)));
    return n;
  };
  for (const family of registry.families()) {
    const add = ADD[family.name];
    const latency = LATENCY[family.name];
    if (add === undefined && latency === undefined) continue;
    for (const { labels, metric } of family.series.values()) {
      const n = of(labels);
      if (n === undefined) continue;
      if (latency !== undefined && metric instanceof Histogram) {
        n.latency[latency] = { count: metric.count, sum: metric.sum, counts: [...metric.counts] };
        if (latency === 'complete') n.kind = 'spout';
      } else if (add !== undefined && !(metric instanceof Histogram)) {
        add(n, metric.value, labels);
      }
    }
  }
  return [...tasks.values()].sort((a, b) => a.task - b.task);
}

/** Adds `b` into `a` (bucket by bucket). */
export function mergeLatency(a: LatencyCounts | undefined, b: LatencyCounts | undefined): LatencyCounts | undefined {
  if (b === undefined) return a;
  if (a === undefined) return { count: b.count, sum: b.sum, counts: [...b.counts] };
  a.count += b.count;
  a.sum += b.sum;
  for (let i = 0; i < b.counts.length; i++) a.counts[i] = (a.counts[i] ?? 0) + b.counts[i]!;
  return a;
}

/** The latency below which `q` of observations fall, in milliseconds, from bucket bounds. */
export function latencyQuantileMs(l: LatencyCounts | undefined, q: number, buckets: readonly number[]): number {
  if (l === undefined || l.count === 0) return 0;
  const target = q * l.count;
  let seen = 0;
  for (let i = 0; i < l.counts.length; i++) {
    seen += l.counts[i]!;
    if (seen >= target) return (i < buckets.length ? buckets[i]! : buckets[buckets.length - 1]! * 2) * 1000;
  }
  return buckets[buckets.length - 1]! * 2000;
}
