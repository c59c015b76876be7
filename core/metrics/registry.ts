/**
 * The metric registry: exact counters, gauges and histograms held as plain numbers, so that
 * the per-tuple cost is an addition. A worker exports them with prom-client on `/metrics`.
 * Labels are low-cardinality by contract: topology, component, task, stream and the like.
 */

export type Labels = Readonly<Record<string, string>>;

export class Counter {
  value = 0;
  inc(by = 1): void {
    this.value += by;
  }
}

export class Gauge {
  #value = 0;
  readonly #read: (() => number) | undefined;
  constructor(read?: () => number) {
    this.#read = read;
  }
  set(value: number): void {
    this.#value = value;
  }
  get value(): number {
    return this.#read === undefined ? this.#value : this.#read();
  }
}

/** Latency buckets, in seconds: 10µs to 60s. */
export const DEFAULT_LATENCY_BUCKETS: readonly number[] = Object.freeze([
  0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
]);

export class Histogram {
  readonly buckets: readonly number[];
  /** Non-cumulative counts per bucket; the last slot is +Inf. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  /** The bounds as a typed array: the engine observes once per tree, and a search over it is cheap. */
  readonly #bounds: Float64Array;

  constructor(buckets: readonly number[] = DEFAULT_LATENCY_BUCKETS) {
    this.buckets = buckets;
    this.#bounds = Float64Array.from(buckets);
    this.counts = new Float64Array(buckets.length + 1);
  }

  /** Counts `value` in the first bucket whose upper bound is at least `value` (+Inf past the last). */
  observe(value: number): void {
    const b = this.#bounds;
    let lo = 0;
    let hi = b.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (value > b[mid]!) lo = mid + 1;
      else hi = mid;
    }
    this.counts[lo]! += 1;
    this.sum += value;
    this.count++;
  }

  /** The value below which `q` of observations fall, estimated from the buckets. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const target = q * this.count;
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= target) return i < this.buckets.length ? this.buckets[i]! : Infinity;
    }
    return Infinity;
  }
}

/**
 * Storm's capacity: the share of the last window (about `windowMs`, at most twice it) that a
 * task spent executing. Near 1 the task cannot keep up. It reads a busy-seconds counter.
 */
export function capacityOf(busySeconds: () => number, windowMs = 10_000, clock: () => number = () => performance.now()): () => number {
  let older = { at: clock(), busy: busySeconds() };
  let newer = older;
  return () => {
    const now = clock();
    const busy = busySeconds();
    if (now - newer.at >= windowMs) {
      older = newer;
      newer = { at: now, busy };
    }
    const elapsed = (now - older.at) / 1000;
    return elapsed <= 0 ? 0 : Math.min(1, Math.max(0, (busy - older.busy) / elapsed));
  };
}

export type Metric = Counter | Gauge | Histogram;
export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly series: Map<string, { labels: Labels; metric: Metric }>;
}

function seriesKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}

/** Metrics of one task or component: the labels are fixed, the names vary. */
export interface MetricGroup {
  counter(name: string, help: string, labels?: Labels): Counter;
  gauge(name: string, help: string, labels?: Labels, read?: () => number): Gauge;
  histogram(name: string, help: string, labels?: Labels, buckets?: readonly number[]): Histogram;
  /** A counter whose value is read from elsewhere (bytes a socket sent, say) when exported. */
  counterFrom(name: string, help: string, labels: Labels, read: () => number): Gauge;
}

export class MetricRegistry {
  readonly #families = new Map<string, MetricFamily>();

  counter(name: string, help: string, labels: Labels = {}): Counter {
    return this.#get(name, help, 'counter', labels, () => new Counter()) as Counter;
  }

  gauge(name: string, help: string, labels: Labels = {}, read?: () => number): Gauge {
    return this.#get(name, help, 'gauge', labels, () => new Gauge(read)) as Gauge;
  }

  histogram(name: string, help: string, labels: Labels = {}, buckets?: readonly number[]): Histogram {
    return this.#get(name, help, 'histogram', labels, () => new Histogram(buckets)) as Histogram;
  }

  counterFrom(name: string, help: string, labels: Labels, read: () => number): Gauge {
    return this.#get(name, help, 'counter', labels, () => new Gauge(read)) as Gauge;
  }

  /** A view that adds `labels` to every metric it creates. */
  group(labels: Labels): MetricGroup {
    return {
      counter: (n, h, l) => this.counter(n, h, { ...labels, ...l }),
      gauge: (n, h, l, r) => this.gauge(n, h, { ...labels, ...l }, r),
      histogram: (n, h, l, b) => this.histogram(n, h, { ...labels, ...l }, b),
      counterFrom: (n, h, l, r) => this.counterFrom(n, h, { ...labels, ...l }, r),
    };
  }

  families(): IterableIterator<MetricFamily> {
    return this.#families.values();
  }

  /** The sum of every series of a counter or gauge whose labels include all of `labels` (0 when there is none). */
  total(name: string, labels: Labels = {}): number {
    let sum = 0;
    for (const n of this.byLabel(name, '', labels).values()) sum += n;
    return sum;
  }

  /** The sums of a counter's or gauge's series whose labels include `labels`, by the value of `label` ('' for none). */
  byLabel(name: string, label: string, labels: Labels = {}): Map<string, number> {
    const sums = new Map<string, number>();
    const family = this.#families.get(name.startsWith('squall_') ? name : `squall_${name}`);
    for (const s of family?.series.values() ?? []) {
      if (!('value' in s.metric) || !Object.entries(labels).every(([k, v]) => s.labels[k] === v)) continue;
      const key = s.labels[label] ?? '';
      sums.set(key, (sums.get(key) ?? 0) + s.metric.value);
    }
    return sums;
  }

  /** Removes every series whose labels include all of `labels` (a killed topology's, say). */
  removeMatching(labels: Labels): void {
    for (const family of this.#families.values()) {
      for (const [key, s] of family.series) {
        if (Object.entries(labels).every(([k, v]) => s.labels[k] === v)) family.series.delete(key);
      }
    }
  }

  #get(name: string, help: string, type: MetricType, labels: Labels, make: () => Metric): Metric {
    const fullName = name.startsWith('squall_') ? name : `squall_${name}`;
    let family = this.#families.get(fullName);
    if (family === undefined) {
      family = { name: fullName, help, type, series: new Map() };
      this.#families.set(fullName, family);
    } else if (family.type !== type) {
      throw new TypeError(`metric ${fullName} is a ${family.type}, not a ${type}`);
    }
    const key = seriesKey(labels);
    let series = family.series.get(key);
    if (series === undefined) {
      series = { labels: { ...labels }, metric: make() };
      family.series.set(key, series);
    }
    return series.metric;
  }
}
