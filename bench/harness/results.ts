/** What the rounds produced per case, and the summaries and ratios the report and chart show. */
import type { RssSample } from './child.js';
import type { Benchmark, BenchCase, BenchRatio } from './registry.js';
import { type Measurement, type Summary, cpuNsPerTuple, median, ratio, summarize, throughput } from './stats.js';

export interface CaseRuns {
  readonly case: BenchCase;
  readonly measurements: Measurement[];
  readonly errors: string[];
  readonly peakRssMiB: number[];
  readonly steadyRssMiB: number[];
  /** The RSS trace of the last successful round, for the memory plot. */
  lastTrace: readonly RssSample[];
}

export interface CaseSummary {
  readonly case: BenchCase;
  readonly rate?: Summary;
  readonly cpuNs?: Summary;
  readonly peakRss?: Summary;
  readonly steadyRss?: Summary;
  /** Medians over the rounds of a rate-limited case's offered rate and latency percentiles. */
  readonly latency?: { readonly offered: Summary; readonly p50Ms: Summary; readonly p99Ms: Summary; readonly p999Ms: Summary };
  readonly errors: readonly string[];
}

/** Steady RSS of one run: the median of the samples in its second half (after warm-up). */
export function steadyRss(trace: readonly RssSample[]): number {
  if (trace.length === 0) return Number.NaN;
  return median(trace.slice(Math.floor(trace.length / 2)).map((s) => s.rssMiB));
}

function latencyOf(ms: readonly Measurement[]): Pick<CaseSummary, 'latency'> {
  const l = ms.flatMap((m) => (m.latency === undefined ? [] : [m.latency]));
  if (l.length === 0) return {};
  const s = (k: 'offered' | 'p50Ms' | 'p99Ms' | 'p999Ms') => summarize(l.map((x) => x[k]))!;
  return { latency: { offered: s('offered'), p50Ms: s('p50Ms'), p99Ms: s('p99Ms'), p999Ms: s('p999Ms') } };
}

export function summarizeCase(runs: CaseRuns): CaseSummary {
  const opt = <K extends string>(key: K, s: Summary | undefined) => (s === undefined ? {} : ({ [key]: s } as Record<K, Summary>));
  return {
    case: runs.case,
    ...opt('rate', summarize(runs.measurements.map(throughput))),
    ...opt('cpuNs', summarize(runs.measurements.map(cpuNsPerTuple))),
    ...opt('peakRss', summarize(runs.peakRssMiB)),
    ...opt('steadyRss', summarize(runs.steadyRssMiB)),
    ...latencyOf(runs.measurements),
    errors: runs.errors,
  };
}

export interface RatioResult {
  readonly ratio: BenchRatio;
  /** The baseline case with the best median throughput: the peer's winning setting. */
  readonly bestBaseline?: CaseSummary;
  readonly byRate?: number;
  /** Baseline's lowest median CPU ns per tuple over the subject's: above 1, the subject is cheaper. */
  readonly byCpu?: number;
}

export function computeRatio(r: BenchRatio, summaries: ReadonlyMap<string, CaseSummary>): RatioResult {
  const subject = summaries.get(r.of);
  const baselines = r.to.map((id) => summaries.get(id)).filter((s): s is CaseSummary => s?.rate !== undefined);
  const best = baselines.reduce<CaseSummary | undefined>((b, s) => (b === undefined || s.rate!.median > b.rate!.median ? s : b), undefined);
  const cheapest = baselines.reduce<CaseSummary | undefined>((b, s) => (s.cpuNs !== undefined && (b === undefined || s.cpuNs.median < b.cpuNs!.median) ? s : b), undefined);
  const byRate = ratio(subject?.rate, best?.rate);
  const byCpu = ratio(cheapest?.cpuNs, subject?.cpuNs);
  return { ratio: r, ...(best === undefined ? {} : { bestBaseline: best }), ...(byRate === undefined ? {} : { byRate }), ...(byCpu === undefined ? {} : { byCpu }) };
}

export interface BenchmarkResult {
  readonly benchmark: Benchmark;
  readonly cases: readonly CaseSummary[];
  readonly ratios: readonly RatioResult[];
}
