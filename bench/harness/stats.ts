/**
 * The statistics every benchmark reports: median, min and max of interleaved rounds, and the
 * ratio of two systems' medians. Pure functions, so they are unit-tested without timing anything.
 */

/** Median, min and max of a sample. */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

/** The median of a non-empty sample (the mean of the two middle values for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('median of an empty sample: run at least one round');
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median, min and max, ignoring values that are not finite numbers (a failed round). */
export function summarize(xs: readonly number[]): Summary | undefined {
  const ok = xs.filter((x) => Number.isFinite(x));
  if (ok.length === 0) return undefined;
  return { median: median(ok), min: Math.min(...ok), max: Math.max(...ok), n: ok.length };
}

/**
 * How many times `subject` is `baseline`: the ratio of the medians. Undefined when either is
 * missing or the baseline is zero, so a failed side shows as "n/a", never as a number.
 */
export function ratio(subject: Summary | undefined, baseline: Summary | undefined): number | undefined {
  if (subject === undefined || baseline === undefined || baseline.median === 0) return undefined;
  return subject.median / baseline.median;
}

/** One measurement of one system: work done, wall-clock and process CPU time (all threads). */
export interface Measurement {
  readonly tuples: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  /** The child's own peak RSS, when it reports one (a run shorter than a sample has no other). */
  readonly maxRssMiB?: number;
  /** Complete latency of a rate-limited run: the rate offered, and percentiles in ms. */
  readonly latency?: { readonly offered: number; readonly p50Ms: number; readonly p99Ms: number; readonly p999Ms: number };
}

/** Tuples per second of wall-clock time. */
export function throughput(m: Measurement): number {
  return m.wallMs > 0 ? m.tuples / (m.wallMs / 1000) : Number.NaN;
}

/** Nanoseconds of process CPU time (every thread) per tuple. */
export function cpuNsPerTuple(m: Measurement): number {
  return m.tuples > 0 ? (m.cpuMs * 1e6) / m.tuples : Number.NaN;
}

/** Picks the one measurement a child printed: the last line of stdout that parses as one. */
export function parseMeasurement(stdout: string): Measurement {
  const lines = stdout.trim().split('\n').reverse();
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    const m = JSON.parse(line) as Partial<Measurement>;
    if (typeof m.tuples === 'number' && typeof m.wallMs === 'number' && typeof m.cpuMs === 'number') return m as Measurement;
  }
  throw new Error(`no measurement in the output (a JSON line with tuples, wallMs and cpuMs): ${stdout.slice(-300)}`);
}
