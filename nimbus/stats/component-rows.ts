/**
 * The numbers of the topology and component pages, in Storm UI's field names, from a
 * {@link TopologyHistory}: Nimbus builds them from the workers' heartbeats, local mode from its
 * runtime. Latencies are numbers in milliseconds (Storm sends strings), with percentiles
 * beside Storm's averages.
 */
import { DEFAULT_LATENCY_BUCKETS, type LatencyCounts, latencyQuantileMs } from '../../core/index.js';
import { CURRENT_RATE_S, type Counts, type TopologyHistory, WINDOWS, WINDOW_PRETTY, type Window, emptyCounts } from './stats-history.js';

/** A component as the topology declares it. */
export interface ComponentShape {
  readonly id: string;
  readonly kind: 'spout' | 'bolt';
  readonly executors: number;
  readonly tasks: number;
  /** Components this one subscribes to, with the stream. */
  readonly inputs: readonly { readonly from: string; readonly stream: string }[];
}

export interface LastError {
  readonly lastError: string;
  readonly errorTime?: number;
  readonly errorWorker?: string;
}

export interface Latency {
  /** Mean, ms. */
  readonly avg: number;
  readonly p50: number;
  readonly p99: number;
}

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

export function latencyOf(l: LatencyCounts | undefined): Latency {
  if (l === undefined || l.count <= 0) return { avg: 0, p50: 0, p99: 0 };
  return { avg: round((l.sum / l.count) * 1000), p50: latencyQuantileMs(l, 0.5, DEFAULT_LATENCY_BUCKETS), p99: latencyQuantileMs(l, 0.99, DEFAULT_LATENCY_BUCKETS) };
}

const failedTotal = (c: Counts) => Object.values(c.failed).reduce((a, b) => a + b, 0);
const perSecond = (n: number, seconds: number) => (seconds > 0 && Number.isFinite(seconds) ? round(n / seconds, 2) : 0);

/** Parses `?window=`: Storm's values, default all time. */
export function parseWindow(value: string | null): Window {
  if (value === null || value === '') return ':all-time';
  if ((WINDOWS as readonly string[]).includes(value)) return value as Window;
  throw Object.assign(new Error(`window must be one of ${WINDOWS.join(', ')}, got '${value}'`), { code: 'SQUALL_ERR_BAD_REQUEST' });
}

/** Storm's `topologyStats`: the whole topology per window (counts of its spouts). */
export function topologyStats(history: TopologyHistory, components: readonly ComponentShape[]) {
  const spouts = new Set(components.filter((c) => c.kind === 'spout').map((c) => c.id));
  return WINDOWS.map((window) => {
    const { components: counts } = history.window(window);
    const total = emptyCounts();
    let complete: LatencyCounts | undefined;
    for (const [id, c] of counts) {
      total.emitted += c.emitted;
      total.transferred += c.transferred;
      if (!spouts.has(id)) continue;
      total.acked += c.acked;
      for (const [r, n] of Object.entries(c.failed)) total.failed[r] = (total.failed[r] ?? 0) + n;
      if (c.complete !== undefined) complete = complete === undefined ? { ...c.complete, counts: [...c.complete.counts] } : { count: complete.count + c.complete.count, sum: complete.sum + c.complete.sum, counts: complete.counts.map((x, i) => x + (c.complete!.counts[i] ?? 0)) };
    }
    const l = latencyOf(complete);
    return { window, windowPretty: WINDOW_PRETTY[window], emitted: total.emitted, transferred: total.transferred, acked: total.acked, failed: failedTotal(total), failedByReason: total.failed, completeLatency: l.avg, completeLatencyP50: l.p50, completeLatencyP99: l.p99 };
  });
}

/** One component's numbers within `window`, with current rates (over the last few seconds). */
function row(c: ComponentShape, counts: Counts, seconds: number, now: Counts, nowSeconds: number, gauges: { capacity: number; pending: number; queued: number }, error: LastError | undefined) {
  const common = {
    executors: c.executors,
    tasks: c.tasks,
    emitted: counts.emitted,
    transferred: counts.transferred,
    acked: counts.acked,
    failed: failedTotal(counts),
    failedByReason: counts.failed,
    errorRecords: counts.errorRecords,
    emitRate: perSecond(now.emitted, nowSeconds),
    ackRate: perSecond(now.acked, nowSeconds),
    failRate: perSecond(failedTotal(now), nowSeconds),
    windowSeconds: Number.isFinite(seconds) ? round(seconds, 1) : null,
    lastError: error?.lastError ?? '',
    ...(error?.errorTime === undefined ? {} : { errorTime: error.errorTime, errorWorker: error.errorWorker ?? '' }),
  };
  if (c.kind === 'spout') {
    const l = latencyOf(counts.complete);
    return { spoutId: c.id, ...common, pending: gauges.pending, completeLatency: l.avg, completeLatencyP50: l.p50, completeLatencyP99: l.p99 };
  }
  const e = latencyOf(counts.execute);
  const p = latencyOf(counts.process);
  return { boltId: c.id, ...common, executed: counts.executed, executeRate: perSecond(now.executed, nowSeconds), capacity: round(gauges.capacity), queued: gauges.queued, executeLatency: e.avg, executeLatencyP50: e.p50, executeLatencyP99: e.p99, processLatency: p.avg, processLatencyP50: p.p50, processLatencyP99: p.p99 };
}

/** The `spouts` and `bolts` of a topology page. */
export function componentRows(history: TopologyHistory, components: readonly ComponentShape[], window: Window, errors: ReadonlyMap<string, LastError>) {
  const inWindow = history.window(window);
  const current = history.window(CURRENT_RATE_S);
  const gauges = new Map<string, { capacity: number; pending: number; queued: number }>();
  for (const { numbers } of history.tasks().values()) {
    const g = gauges.get(numbers.component) ?? { capacity: 0, pending: 0, queued: 0 };
    g.capacity = Math.max(g.capacity, numbers.capacity);
    g.pending += numbers.pending;
    g.queued += numbers.queued;
    gauges.set(numbers.component, g);
  }
  const rowOf = (c: ComponentShape) => row(c, inWindow.components.get(c.id) ?? emptyCounts(), inWindow.seconds, current.components.get(c.id) ?? emptyCounts(), current.seconds, gauges.get(c.id) ?? { capacity: 0, pending: 0, queued: 0 }, errors.get(c.id));
  type Row = ReturnType<typeof row>;
  const all = components.map(rowOf);
  return {
    spouts: all.filter((x): x is Extract<Row, { spoutId: string }> => 'spoutId' in x),
    bolts: all.filter((x): x is Extract<Row, { boltId: string }> => 'boltId' in x),
  };
}

/** The component page: per window, per task (all time), and the rate over the last minutes. */
export function componentDetail(history: TopologyHistory, c: ComponentShape, window: Window, error: LastError | undefined) {
  const tasks = [...history.tasks().values()].filter((t) => t.numbers.component === c.id).sort((a, b) => a.numbers.task - b.numbers.task);
  const current = history.window(CURRENT_RATE_S);
  const rows = componentRows(history, [c], window, new Map(error === undefined ? [] : [[c.id, error]]));
  return {
    id: c.id,
    componentType: c.kind,
    ...(c.kind === 'spout' ? rows.spouts[0] : rows.bolts[0]),
    inputs: c.inputs,
    windowStats: WINDOWS.map((w) => {
      const { seconds, components } = history.window(w);
      const n = components.get(c.id) ?? emptyCounts();
      return { window: w, windowPretty: WINDOW_PRETTY[w], seconds: Number.isFinite(seconds) ? round(seconds, 1) : null, emitted: n.emitted, transferred: n.transferred, executed: n.executed, acked: n.acked, failed: failedTotal(n), failedByReason: n.failed };
    }),
    taskStats: tasks.map(({ numbers: t, worker, totals }) => ({
      task: t.task,
      worker,
      emitted: totals.emitted,
      transferred: totals.transferred,
      executed: totals.executed,
      acked: totals.acked,
      failed: failedTotal(totals),
      failedByReason: totals.failed,
      errorRecords: totals.errorRecords,
      pending: t.pending,
      queued: t.queued,
      capacity: round(t.capacity),
      throttledSeconds: t.throttledSeconds,
      ...(c.kind === 'spout' ? { completeLatency: latencyOf(totals.complete) } : { executeLatency: latencyOf(totals.execute), processLatency: latencyOf(totals.process) }),
    })),
    currentRateSeconds: current.seconds,
    rateHistory: history.rates(c.id),
  };
}
