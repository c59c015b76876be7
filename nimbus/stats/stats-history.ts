/**
 * Totals and rates of a topology's components over Storm UI's windows (10 minutes, 3 hours, 1
 * day, all time), from what the workers' heartbeats carry: each task's exact counters since its
 * worker started. A worker that restarts starts its counters again; what it had counted is kept,
 * so totals only grow. Snapshots of the totals, at three granularities, give the counts within a
 * window as a difference. Kept in memory: a new Nimbus leader starts its windows afresh, and its
 * all-time totals from the workers' current counters.
 */
import { type LatencyCounts, type TaskNumbers, mergeLatency } from '../../core/index.js';

/** One worker's tasks, as its last beat gave them. */
export interface WorkerTasks {
  readonly worker: string;
  /** When the worker process started: a new value means its counters restarted. */
  readonly startedAt: number;
  readonly tasks: readonly TaskNumbers[];
}

/** Counts that add up across tasks, workers and time. */
export interface Counts {
  emitted: number;
  transferred: number;
  executed: number;
  acked: number;
  errorRecords: number;
  failed: Record<string, number>;
  complete?: LatencyCounts;
  execute?: LatencyCounts;
  process?: LatencyCounts;
}

/** Storm UI's windows, in seconds; `all` is all time. */
export const WINDOWS = ['600', '10800', '86400', ':all-time'] as const;
export type Window = (typeof WINDOWS)[number];
export const WINDOW_PRETTY: Readonly<Record<Window, string>> = { '600': '10m 0s', '10800': '3h 0m 0s', '86400': '1d 0h 0m 0s', ':all-time': 'All time' };

/** The seconds over which a "current" rate is measured (live views, `nimbus monitor`). */
export const CURRENT_RATE_S = 5;

interface Snapshot {
  readonly at: number;
  readonly components: ReadonlyMap<string, Counts>;
}

/** Ring granularities: step and how long kept, in ms. */
const RINGS = [
  { stepMs: 2_000, keepMs: 11 * 60_000 },
  { stepMs: 60_000, keepMs: 3 * 3_600_000 + 120_000 },
  { stepMs: 1_800_000, keepMs: 24 * 3_600_000 + 3_600_000 },
] as const;

export function emptyCounts(): Counts {
  return { emitted: 0, transferred: 0, executed: 0, acked: 0, errorRecords: 0, failed: {} };
}

/** Adds `b` into `a` (or takes `b` away, with `sign` -1). */
export function addCounts(a: Counts, b: Counts | TaskNumbers, sign: 1 | -1 = 1): Counts {
  a.emitted += sign * b.emitted;
  a.transferred += sign * b.transferred;
  a.executed += sign * b.executed;
  a.acked += sign * b.acked;
  a.errorRecords += sign * b.errorRecords;
  for (const [reason, n] of Object.entries(b.failed)) a.failed[reason] = (a.failed[reason] ?? 0) + sign * n;
  const latency = 'latency' in b ? b.latency : b;
  for (const kind of ['complete', 'execute', 'process'] as const) {
    const l = latency[kind];
    if (l === undefined) continue;
    if (sign === 1) a[kind] = mergeLatency(a[kind], l);
    else if (a[kind] !== undefined) a[kind] = { count: a[kind].count - l.count, sum: a[kind].sum - l.sum, counts: a[kind].counts.map((c, i) => c - (l.counts[i] ?? 0)) };
  }
  return a;
}

function cloneCounts(c: Counts): Counts {
  return addCounts(emptyCounts(), c);
}

/** The history of one topology. */
export class TopologyHistory {
  readonly #current = new Map<string, WorkerTasks>();
  /** Counts of workers' earlier runs, per task. */
  readonly #retired = new Map<number, Counts>();
  readonly #rings: Snapshot[][] = RINGS.map(() => []);
  #last: Snapshot | undefined;
  #firstAt: number | undefined;
  /** tasks() until the next feed: a page asks for it several times. */
  #tasks: Map<number, { numbers: TaskNumbers; worker: string; totals: Counts }> | undefined;

  /** Takes the workers' latest beats. */
  feed(workers: readonly WorkerTasks[], now: number): void {
    for (const w of workers) {
      const before = this.#current.get(w.worker);
      if (before !== undefined && before.startedAt !== w.startedAt) {
        for (const t of before.tasks) addCounts((this.#retired.get(t.task) ?? this.#retired.set(t.task, emptyCounts()).get(t.task)!), t);
      }
      this.#current.set(w.worker, w);
    }
    this.#tasks = undefined;
    this.#firstAt ??= now;
    const snapshot: Snapshot = { at: now, components: this.components() };
    this.#last = snapshot;
    RINGS.forEach((ring, i) => {
      const kept = this.#rings[i]!;
      const newest = kept.at(-1);
      if (newest === undefined || now - newest.at >= ring.stepMs) kept.push(snapshot);
      while (kept.length > 2 && now - kept[1]!.at > ring.keepMs) kept.shift();
    });
  }

  /** All-time counts per task, and the latest gauges (from the worker that last reported the task). */
  tasks(): Map<number, { numbers: TaskNumbers; worker: string; totals: Counts }> {
    if (this.#tasks !== undefined) return this.#tasks;
    const out = (this.#tasks = new Map<number, { numbers: TaskNumbers; worker: string; totals: Counts }>());
    for (const w of this.#current.values()) {
      for (const t of w.tasks) {
        const entry = out.get(t.task);
        if (entry === undefined) out.set(t.task, { numbers: t, worker: w.worker, totals: addCounts(cloneCounts(this.#retired.get(t.task) ?? emptyCounts()), t) });
        else {
          addCounts(entry.totals, t);
          // The newest holder of a moved task gives its gauges.
          if (w.startedAt > (this.#current.get(entry.worker)?.startedAt ?? 0)) Object.assign(entry, { numbers: t, worker: w.worker });
        }
      }
    }
    return out;
  }

  /** All-time counts per component. */
  components(): Map<string, Counts> {
    const out = new Map<string, Counts>();
    for (const { numbers, totals } of this.tasks().values()) addCounts(out.get(numbers.component) ?? out.set(numbers.component, emptyCounts()).get(numbers.component)!, totals);
    return out;
  }

  /** The rate of `component` between consecutive fine snapshots, oldest first. */
  rates(component: string): RatePoint[] {
    const ring = this.#rings[0]!;
    const out: RatePoint[] = [];
    for (let i = 1; i < ring.length; i++) {
      const a = ring[i - 1]!.components.get(component);
      const b = ring[i]!.components.get(component);
      const s = (ring[i]!.at - ring[i - 1]!.at) / 1000;
      if (a === undefined || b === undefined || s <= 0) continue;
      const r = (x: number) => Math.round((x / s) * 100) / 100;
      out.push({ at: ring[i]!.at, emitted: r(b.emitted - a.emitted), executed: r(b.executed - a.executed), acked: r(b.acked - a.acked) });
    }
    return out;
  }

  /**
   * Counts within the window ending at the last feed, per component, and the seconds they cover
   * (less than the window while the history is younger).
   */
  window(window: Window | number): { seconds: number; components: Map<string, Counts> } {
    const last = this.#last;
    if (last === undefined) return { seconds: 0, components: new Map() };
    if (window === ':all-time') return { seconds: Infinity, components: new Map([...last.components].map(([c, n]) => [c, cloneCounts(n)])) };
    const ms = Number(window) * 1000;
    // A history younger than one of Storm's windows: the window holds everything counted so far.
    if (ms >= 600_000 && last.at - this.#firstAt! < ms) return { seconds: (last.at - this.#firstAt!) / 1000, components: new Map([...last.components].map(([c, n]) => [c, cloneCounts(n)])) };
    const ring = this.#rings[RINGS.findIndex((r) => r.keepMs >= ms) === -1 ? RINGS.length - 1 : RINGS.findIndex((r) => r.keepMs >= ms)]!;
    // The newest snapshot at least `ms` old, else the oldest kept.
    let start = ring[0];
    for (const s of ring) {
      if (last.at - s.at >= ms) start = s;
      else break;
    }
    const components = new Map<string, Counts>();
    for (const [c, n] of last.components) {
      const diff = cloneCounts(n);
      const before = start?.components.get(c);
      if (before !== undefined && start !== last) addCounts(diff, before, -1);
      components.set(c, diff);
    }
    return { seconds: start === undefined || start === last ? 0 : (last.at - start.at) / 1000, components };
  }
}

/** Per fine snapshot over the last 10 minutes: when (epoch ms) and the rates per second since the one before. */
export type RatePoint = { readonly at: number; readonly emitted: number; readonly executed: number; readonly acked: number };

/** The histories of every topology, by id. */
export class StatsHistory {
  readonly #topologies = new Map<string, TopologyHistory>();

  of(topologyId: string): TopologyHistory {
    let h = this.#topologies.get(topologyId);
    if (h === undefined) this.#topologies.set(topologyId, (h = new TopologyHistory()));
    return h;
  }

  /** Forgets topologies not in `live` (killed ones). */
  retain(live: ReadonlySet<string>): void {
    for (const id of this.#topologies.keys()) if (!live.has(id)) this.#topologies.delete(id);
  }
}
