/**
 * One screen of `nimbus monitor`, from a topology page of the REST API: per component its
 * current rate, latency percentiles, capacity and failures with their reasons, in at most 80
 * columns. Pure: the command redraws it in place.
 */

/** The fields of a topology page the screen shows. */
export interface MonitorPage {
  readonly name: string;
  readonly status: string;
  readonly uptimeSeconds: number;
  readonly workersTotal: number;
  readonly spouts: readonly MonitorRow[];
  readonly bolts: readonly MonitorRow[];
}

export interface MonitorRow {
  readonly spoutId?: string;
  readonly boltId?: string;
  readonly emitRate: number;
  readonly executeRate?: number;
  readonly ackRate: number;
  readonly failRate: number;
  readonly failed: number;
  readonly failedByReason: Readonly<Record<string, number>>;
  readonly completeLatencyP50?: number;
  readonly completeLatencyP99?: number;
  readonly executeLatencyP50?: number;
  readonly executeLatencyP99?: number;
  readonly capacity?: number;
  readonly lastError: string;
}

export const SCREEN_WIDTH = 80;

const fit = (text: string, width: number) => (text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width));
const right = (text: string, width: number) => (text.length > width ? text.slice(0, width) : text.padStart(width));

function rate(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return n.toFixed(n >= 100 ? 0 : 1);
}

const ms = (n: number | undefined) => (n === undefined ? '-' : n >= 1000 ? `${(n / 1000).toFixed(1)}s` : n >= 10 ? n.toFixed(0) : n.toFixed(2));

function uptime(s: number): string {
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h ${m}m` : `${m}m ${s % 60}s`;
}

function reasons(r: Readonly<Record<string, number>>): string {
  return Object.entries(r)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
}

/** The screen's lines, none wider than {@link SCREEN_WIDTH}. */
export function renderMonitor(page: MonitorPage, options: { frame: number; at: Date; error?: string }): string[] {
  const header = `${page.name} · ${page.status} · up ${uptime(page.uptimeSeconds)} · ${page.workersTotal} worker${page.workersTotal === 1 ? '' : 's'}`;
  const clock = `#${options.frame} ${options.at.toISOString().slice(11, 19)}`;
  const lines = [fit(header, SCREEN_WIDTH - clock.length - 1) + ' ' + clock, ''];
  lines.push(`${fit('COMPONENT', 18)}${right('RATE/s', 9)}${right('p50 ms', 8)}${right('p99 ms', 8)}${right('CAP', 6)}${right('FAILED', 9)}  ${'REASONS'}`);
  const row = (id: string, r: MonitorRow, spout: boolean) => {
    const line = `${fit(id, 18)}${right(rate(spout ? r.emitRate : (r.executeRate ?? 0)), 9)}${right(ms(spout ? r.completeLatencyP50 : r.executeLatencyP50), 8)}${right(ms(spout ? r.completeLatencyP99 : r.executeLatencyP99), 8)}${right(r.capacity === undefined ? '-' : r.capacity.toFixed(2), 6)}${right(String(r.failed), 9)}  `;
    return line + fit(reasons(r.failedByReason), SCREEN_WIDTH - line.length);
  };
  for (const s of page.spouts) lines.push(row(s.spoutId ?? '?', s, true));
  for (const b of page.bolts) lines.push(row(b.boltId ?? '?', b, false));
  const errors = [...page.spouts, ...page.bolts].filter((r) => r.lastError !== '');
  if (errors.length > 0) {
    lines.push('', 'LAST ERRORS');
    for (const r of errors.slice(0, 5)) lines.push(fit(`${r.spoutId ?? r.boltId}: ${r.lastError}`, SCREEN_WIDTH));
  }
  lines.push('', fit(options.error === undefined ? 'rates: last 5 s · latency: spouts complete, bolts execute · q or Ctrl-C quits' : `! ${options.error}`, SCREEN_WIDTH));
  return lines.map((l) => l.trimEnd());
}
