/**
 * Hand-written SVG charts, no dependency: throughput per system and case (horizontal bars on a
 * log scale, since the bare loop and Storm are two orders of magnitude apart), and RSS over time.
 */
import type { RssSample } from './child.js';
import type { BenchmarkResult } from './results.js';

const COLOURS: Record<string, string> = { Squall: '#1f77b4', 'Apache Storm': '#d62728', qtopology: '#2ca02c', 'bare loop': '#7f7f7f' };
const colour = (system: string) => COLOURS[system] ?? '#9467bd';
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const compact = (x: number) => (x >= 1e6 ? `${(x / 1e6).toFixed(x >= 1e7 ? 0 : 1)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(0)}k` : x.toFixed(0));

/** One benchmark's bars, as kept in bench/latest-results.json between runs of single benchmarks. */
export interface ChartGroup {
  readonly title: string;
  readonly when: string;
  readonly bars: readonly { readonly system: string; readonly label: string; readonly rate: number }[];
}

/** The chart's groups from a run's results (cases that produced no measurement are left out). */
export function chartGroups(results: readonly BenchmarkResult[], when: string): Record<string, ChartGroup> {
  const out: Record<string, ChartGroup> = {};
  for (const r of results) {
    const bars = r.cases.flatMap((c) => (c.rate === undefined ? [] : [{ system: c.case.system, label: c.case.label, rate: c.rate.median }]));
    if (bars.length > 0) out[r.benchmark.name] = { title: r.benchmark.title, when, bars };
  }
  return out;
}

export function throughputChart(groups: readonly ChartGroup[], subtitle: string): string {
  const rows: { kind: 'title' | 'bar'; text: string; system?: string; value?: number }[] = [];
  for (const g of groups) {
    rows.push({ kind: 'title', text: `${g.title.split(':')[0]} (${g.when})` });
    for (const b of g.bars) rows.push({ kind: 'bar', text: `${b.system}: ${b.label}`, system: b.system, value: b.rate });
  }
  const values = rows.flatMap((r) => (r.value === undefined ? [] : [r.value]));
  const lo = Math.pow(10, Math.floor(Math.log10(Math.max(1, Math.min(...values, 1e4)))));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...values, 10))));
  const left = 330, width = 430, rowH = 20, top = 50;
  const x = (v: number) => left + ((Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * width;
  const height = top + rows.length * rowH + 40;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 80}" height="${height}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(`<text x="10" y="18" font-size="14" font-weight="bold">Throughput per system, tuples/s (log scale), median of interleaved rounds</text>`);
  out.push(`<text x="10" y="34" fill="#555">${esc(subtitle)}</text>`);
  for (let d = lo; d <= hi; d *= 10) {
    out.push(`<line x1="${x(d)}" y1="${top - 4}" x2="${x(d)}" y2="${height - 30}" stroke="#ddd"/>`);
    out.push(`<text x="${x(d)}" y="${height - 16}" text-anchor="middle" fill="#555">${compact(d)}</text>`);
  }
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    if (r.kind === 'title') {
      out.push(`<text x="10" y="${y + 14}" font-weight="bold">${esc(r.text)}</text>`);
      return;
    }
    out.push(`<text x="${left - 6}" y="${y + 14}" text-anchor="end">${esc(r.text)}</text>`);
    out.push(`<rect x="${left}" y="${y + 3}" width="${Math.max(1, x(r.value!) - left)}" height="${rowH - 6}" fill="${colour(r.system!)}"/>`);
    out.push(`<text x="${x(r.value!) + 4}" y="${y + 14}">${compact(r.value!)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

export interface RssSeries {
  readonly label: string;
  readonly system: string;
  readonly samples: readonly RssSample[];
}

const DASHES = ['', '6 3', '2 2', '8 3 2 3'];

export function rssChart(series: readonly RssSeries[], subtitle: string): string {
  const all = series.flatMap((s) => s.samples);
  const maxS = Math.max(1, ...all.map((p) => p.s));
  const maxM = Math.ceil(Math.max(64, ...all.map((p) => p.rssMiB)) / 128) * 128;
  const left = 60, top = 50, w = 620, h = 260;
  const x = (s: number) => left + (s / maxS) * w;
  const y = (m: number) => top + h - (m / maxM) * h;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${left + w + 20}" height="${top + h + 50 + series.length * 16}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(`<text x="10" y="18" font-size="14" font-weight="bold">Resident memory (RSS, MiB) over one run, sampled every second</text>`);
  out.push(`<text x="10" y="34" fill="#555">${esc(subtitle)}</text>`);
  for (let m = 0; m <= maxM; m += 128) {
    out.push(`<line x1="${left}" y1="${y(m)}" x2="${left + w}" y2="${y(m)}" stroke="#eee"/><text x="${left - 6}" y="${y(m) + 4}" text-anchor="end" fill="#555">${m}</text>`);
  }
  out.push(`<line x1="${left}" y1="${y(512)}" x2="${left + w}" y2="${y(512)}" stroke="#d62728" stroke-dasharray="4 4"/><text x="${left + w}" y="${y(512) - 4}" text-anchor="end" fill="#d62728">512 MiB target</text>`);
  out.push(`<text x="${left + w / 2}" y="${top + h + 30}" text-anchor="middle" fill="#555">seconds since the process started (0–${maxS.toFixed(0)})</text>`);
  series.forEach((s, i) => {
    const pts = s.samples.map((p) => `${x(p.s).toFixed(1)},${y(p.rssMiB).toFixed(1)}`).join(' ');
    const dash = DASHES[i % DASHES.length]!;
    out.push(`<polyline fill="none" stroke="${colour(s.system)}" stroke-width="2"${dash === '' ? '' : ` stroke-dasharray="${dash}"`} points="${pts}"/>`);
    const ly = top + h + 46 + i * 16;
    out.push(`<line x1="${left}" y1="${ly - 4}" x2="${left + 24}" y2="${ly - 4}" stroke="${colour(s.system)}" stroke-width="2"${dash === '' ? '' : ` stroke-dasharray="${dash}"`}/><text x="${left + 30}" y="${ly}">${esc(s.label)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
