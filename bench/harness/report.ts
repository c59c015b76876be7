/** The dated Markdown section `npm run bench` appends to bench/RESULTS.md. */
import type { Summary } from './stats.js';
import type { BenchmarkResult, CaseSummary } from './results.js';

const int = (x: number) => Math.round(x).toLocaleString('en-US');
function spread(s: Summary | undefined, fmt: (x: number) => string): string {
  if (s === undefined) return 'n/a';
  return `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`;
}
const x2 = (r: number | undefined) => (r === undefined ? 'n/a' : `${r.toFixed(2)}×`);

function caseRow(c: CaseSummary): string {
  const ns = (x: number) => (x >= 100 ? int(x) : x.toFixed(1));
  const err = c.errors.length > 0 ? ` (${c.errors.length} failed: ${c.errors[0]!.slice(0, 120)})` : '';
  return `| ${c.case.system} | ${c.case.label}${err} | ${spread(c.rate, int)} | ${spread(c.cpuNs, ns)} | ${c.peakRss === undefined ? 'n/a' : int(c.peakRss.median)} | ${c.steadyRss === undefined ? 'n/a' : int(c.steadyRss.median)} |`;
}

export interface ReportContext {
  readonly date: string;
  readonly command: string;
  readonly machine: string;
  readonly rounds: number;
  readonly head: string;
  readonly charts: readonly string[];
}

export function renderSection(ctx: ReportContext, results: readonly BenchmarkResult[]): string {
  const out: string[] = [];
  out.push(`## \`npm run bench\`, ${ctx.date} (${ctx.head})`, '');
  out.push('```', ctx.command, '```', '');
  out.push(`Machine: ${ctx.machine}. Shared with other engineers' builds and tests while it ran, so absolute`);
  out.push(`numbers are noisy; the ratios compare medians of ${ctx.rounds} interleaved rounds (every case once per round, the order rotated each round).`);
  out.push(`CPU is the process's CPU time (every thread) over the timed part, per tuple. RSS in MiB, sampled every second from /proc: peak (VmHWM) and steady (the median of a run's second half).`, '');
  for (const r of results) {
    out.push(`### ${r.benchmark.title}`, '', r.benchmark.note, '');
    const unit = r.cases[0]?.case.unit ?? 'tuples';
    out.push(`| system | setting | ${unit}/s, median (min–max) | CPU ns per ${unit.replace(/s$/, '')}, median (min–max) | peak RSS | steady RSS |`, '|---|---|---:|---:|---:|---:|');
    for (const c of r.cases) out.push(caseRow(c));
    const timed = r.cases.filter((c) => c.latency !== undefined);
    if (timed.length > 0) {
      const ms = (x: number) => x.toFixed(x < 10 ? 2 : 0);
      out.push('', '| system | setting | offered tuples/s | complete latency p50, ms | p99, ms | p99.9, ms |', '|---|---|---:|---:|---:|---:|');
      for (const c of timed) out.push(`| ${c.case.system} | ${c.case.label} | ${int(c.latency!.offered.median)} | ${spread(c.latency!.p50Ms, ms)} | ${spread(c.latency!.p99Ms, ms)} | ${spread(c.latency!.p999Ms, ms)} |`);
    }
    if (r.ratios.length > 0) {
      out.push('', '| ratio | best baseline setting | by throughput | by CPU per tuple | target |', '|---|---|---:|---:|---:|');
      for (const q of r.ratios) {
        const best = q.bestBaseline === undefined ? 'n/a' : `${q.bestBaseline.case.system}, ${q.bestBaseline.case.label}`;
        const target = q.ratio.target === undefined ? '' : `≥ ${q.ratio.target}×${q.byRate !== undefined && q.byCpu !== undefined ? (Math.min(q.byRate, q.byCpu) >= q.ratio.target ? ' met' : ' **not met**') : ''}`;
        out.push(`| ${q.ratio.label} | ${best} | **${x2(q.byRate)}** | ${x2(q.byCpu)} | ${target} |`);
      }
    }
    out.push('');
  }
  if (ctx.charts.length > 0) out.push(ctx.charts.map((c) => `![${c}](${c})`).join('\n'), '');
  return out.join('\n');
}
