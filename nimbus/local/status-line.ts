/**
 * The live status line of a local run: totals and per-second rates of what the spouts emitted,
 * acked and failed. On a terminal it redraws one line; elsewhere it prints a line per interval.
 */
import { type MetricRegistry, type RuntimeStats, bytesText } from '../../core/index.js';

export interface Totals {
  emitted: number;
  acked: number;
  failed: number;
  pending: number;
}

export function spoutTotals(stats: RuntimeStats): Totals {
  const t: Totals = { emitted: 0, acked: 0, failed: 0, pending: stats.pending };
  for (const c of Object.values(stats.components)) {
    if (c.kind !== 'spout') continue;
    t.emitted += c.emitted;
    t.acked += c.acked;
    t.failed += c.failed;
  }
  return t;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** How far a file input is read: files done of all, bytes read of all (as stored). */
export interface InputProgress {
  readonly files: number;
  readonly filesDone: number;
  readonly bytes: number;
  readonly bytesRead: number;
}

/** The file spouts' progress in `metrics` (their `squall_input_*` gauges), or undefined without any. */
export function inputProgress(metrics: MetricRegistry, topologyName: string): InputProgress | undefined {
  const sums: Record<string, number> = {};
  for (const family of metrics.families()) {
    if (!family.name.startsWith('squall_input_')) continue;
    for (const { labels, metric } of family.series.values()) {
      if (labels.topology === topologyName && 'value' in metric) sums[family.name] = (sums[family.name] ?? 0) + metric.value;
    }
  }
  if (sums.squall_input_files === undefined) return undefined;
  return { files: sums.squall_input_files, filesDone: sums.squall_input_files_done ?? 0, bytes: sums.squall_input_bytes ?? 0, bytesRead: sums.squall_input_bytes_read ?? 0 };
}

/** `files 2/3  read 1.2 MiB of 3.4 MiB` (the total grows as a followed directory gets files). */
export function progressText(p: InputProgress): string {
  return `files ${fmt(p.filesDone)}/${fmt(p.files)}  read ${bytesText(p.bytesRead)} of ${bytesText(p.bytes)}`;
}

function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

export class StatusLine {
  readonly #stream: NodeJS.WriteStream;
  readonly #tty: boolean;
  readonly #now: () => number;
  #started: number;
  #last: { at: number; totals: Totals };
  #drawn = false;

  /** @param now the clock, in milliseconds (default `performance.now`) */
  constructor(stream: NodeJS.WriteStream = process.stderr, now: () => number = () => performance.now()) {
    this.#stream = stream;
    this.#tty = stream.isTTY === true;
    this.#now = now;
    this.#started = now();
    this.#last = { at: this.#started, totals: { emitted: 0, acked: 0, failed: 0, pending: 0 } };
  }

  /** Starts the clock and the first rate now: when the topology starts, not when the command did (type-checking takes seconds). */
  start(): void {
    this.#started = this.#now();
    this.#last = { at: this.#started, totals: { emitted: 0, acked: 0, failed: 0, pending: 0 } };
  }

  /** Erases the line on a terminal, so a log line can be written cleanly. */
  clear(): void {
    if (this.#tty && this.#drawn) {
      this.#stream.write('\r\x1b[2K');
      this.#drawn = false;
    }
  }

  update(stats: RuntimeStats, input?: InputProgress): void {
    const now = this.#now();
    const totals = spoutTotals(stats);
    const seconds = Math.max(0.001, (now - this.#last.at) / 1000);
    const previous = this.#last.totals;
    const rate = (k: keyof Totals) => (totals[k] - previous[k]) / seconds;
    this.#last = { at: now, totals };
    const line =
      `[${clock(now - this.#started)}] emitted ${fmt(totals.emitted)} (${fmt(rate('emitted'))}/s)` +
      `  acked ${fmt(totals.acked)} (${fmt(rate('acked'))}/s)  failed ${fmt(totals.failed)} (${fmt(rate('failed'))}/s)  in flight ${fmt(totals.pending)}` +
      (input === undefined ? '' : `  ${progressText(input)}`);
    if (this.#tty) {
      this.#stream.write(`\r\x1b[2K${line}`);
      this.#drawn = true;
    } else {
      this.#stream.write(`${line}\n`);
    }
  }
}

/** The end-of-run table, one row per component. */
export function summaryTable(stats: RuntimeStats): string {
  const rows = Object.entries(stats.components).map(([id, c]) => [id, c.kind, fmt(c.emitted), c.kind === 'bolt' ? fmt(c.executed) : '-', fmt(c.acked), fmt(c.failed)]);
  const header = ['component', 'kind', 'emitted', 'executed', 'acked', 'failed'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}
