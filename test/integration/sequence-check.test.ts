/**
 * Wikimedia's own experiment on its loss check, run through `nimbus local topologies/webrequest.ts`
 * on generated varnishkafka lines (issue #18): nothing removed, random lines removed (one at the
 * first number of an hour), a counter restarting from 1 or at the Unix time × 10⁶, a line sent
 * twice, the same input run twice into one output, and a run killed with SIGKILL and started again.
 * Every input crosses an hour boundary; the stats are read back from `sequence-stats/`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { REPO_ROOT, repoTempDir, runNimbus, waitFor } from '../support/index.js';

const work = repoTempDir('sequence-check');
after(() => rmSync(work, { recursive: true, force: true }));

interface Line {
  text: string;
  hostname: string;
  sequence: number;
  dt: string;
}

async function generated(name: string, args: string[]): Promise<Line[]> {
  const file = join(work, name);
  const r = await runNimbus(['generate', '--hosts', '2', '--malformed', '0', '--rate', '20', '-o', file, ...args]);
  assert.equal(r.code, 0, r.stderr);
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((text) => {
    const { hostname, sequence, dt } = JSON.parse(text) as Line;
    return { text, hostname, sequence, dt };
  });
}

/** The line with another sequence number (the rest of it unchanged). */
function renumbered(line: Line, sequence: number): Line {
  return { ...line, sequence, text: JSON.stringify({ ...(JSON.parse(line.text) as object), sequence }) };
}

/** A seeded choice of `n` indexes out of `candidates`, without repeats. */
function pickIndexes(candidates: readonly number[], n: number, seed: number): Set<number> {
  const pool = [...candidates];
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const j = i + (x % (pool.length - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return new Set(pool.slice(0, n));
}

interface Totals {
  rows: number;
  lost: number;
  duplicate: number;
  resets: number;
  late: number;
  hours: number;
}

interface Run {
  stats: Record<string, unknown>[];
  totals: Totals;
  /** What the run printed, stdout and stderr. */
  output: string;
}

function statsOf(output: string): Record<string, unknown>[] {
  const dir = join(output, 'sequence-stats');
  return readdirSync(dir)
    .filter((f) => /^sequence-stats-.*\.ndjson$/.test(f))
    .sort()
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>));
}

function totalsOf(stats: readonly Record<string, unknown>[]): Totals {
  const sum = (key: string) => stats.reduce((n, r) => n + (r[key] as number), 0);
  return { rows: stats.length, lost: sum('count_lost'), duplicate: sum('count_duplicate'), resets: sum('count_resets'), late: sum('count_late'), hours: new Set(stats.map((r) => r.hour_start)).size };
}

const localArgs = (input: string, output: string) => ['local', 'topologies/webrequest.ts', '--no-typecheck', '-q', '-c', `input=${input}`, '-c', `output=${output}`, '-c', 'format=ndjson'];

/** Writes `lines` to a file and runs the topology over it to its end. */
async function check(name: string, lines: readonly Line[], output = join(work, `${name}-out`)): Promise<Run> {
  const input = join(work, `${name}.ndjson`);
  writeFileSync(input, `${lines.map((l) => l.text).join('\n')}\n`);
  const r = await runNimbus(localArgs(input, output));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /input exhausted, every tuple acked/);
  const stats = statsOf(output);
  return { stats, totals: totalsOf(stats), output: r.stdout + r.stderr };
}

const resetWarnings = (text: string) => text.split('\n').filter((l) => /sequence counter restarted/.test(l));

/** 100,000 lines of 2 hosts from 10:00, past 11:00 at 20 a second. */
let wide: Line[];
/** 40,000 lines of 2 hosts from 10:50 to 11:23. */
let narrow: Line[];
before(async () => {
  wide = await generated('wide-source.ndjson', ['-n', '100000', '--seed', '7']);
  narrow = await generated('narrow-source.ndjson', ['-n', '40000', '--seed', '8', '--start', '2026-11-22T10:50:00Z']);
});

test('100,000 records of 2 hosts over an hour boundary, nothing removed: 0 lost, 0 duplicates', { timeout: 120_000 }, async () => {
  const { totals, stats } = await check('complete', wide);
  assert.deepEqual(totals, { rows: 4, lost: 0, duplicate: 0, resets: 0, late: 0, hours: 2 });
  assert.equal(stats.reduce((n, r) => n + (r.count_actual as number), 0), 100_000);
});

test('10,000 random lines removed (each host’s first and last kept): exactly 10,000 lost', { timeout: 120_000 }, async () => {
  const ends = new Set<number>();
  for (const host of new Set(wide.map((l) => l.hostname))) {
    ends.add(wide.findIndex((l) => l.hostname === host));
    ends.add(wide.findLastIndex((l) => l.hostname === host));
  }
  const removed = pickIndexes([...wide.keys()].filter((i) => !ends.has(i)), 10_000, 18);
  const { totals } = await check('random-loss', wide.filter((_, i) => !removed.has(i)));
  assert.deepEqual(totals, { rows: 4, lost: 10_000, duplicate: 0, resets: 0, late: 0, hours: 2 });
});

test('10,000 lines removed, among them each host’s first number of 11:00: exactly 10,000 lost', { timeout: 120_000 }, async () => {
  const firstOf11 = [...new Set(wide.map((l) => l.hostname))].map((host) => wide.findIndex((l) => l.hostname === host && l.dt >= '2026-11-22T11:00:00Z'));
  assert.equal(firstOf11.length, 2);
  const ends = new Set<number>(firstOf11);
  for (const host of new Set(wide.map((l) => l.hostname))) {
    ends.add(wide.findIndex((l) => l.hostname === host));
    ends.add(wide.findLastIndex((l) => l.hostname === host));
  }
  const removed = pickIndexes([...wide.keys()].filter((i) => !ends.has(i)), 10_000 - firstOf11.length, 19);
  for (const i of firstOf11) removed.add(i);
  const { totals, stats } = await check('boundary-loss', wide.filter((_, i) => !removed.has(i)));
  assert.deepEqual(totals, { rows: 4, lost: 10_000, duplicate: 0, resets: 0, late: 0, hours: 2 });
  const lostAt11 = stats.filter((r) => r.hour_start === Date.UTC(2026, 10, 22, 11)).map((r) => r.count_lost as number);
  assert.ok(lostAt11.every((n) => n >= 1), 'the boundary losses are counted in 11:00');
});

/** `lines` with one host's counter restarted after line `at`: its numbers continue from `start`. */
function restarted(lines: readonly Line[], at: number, start: (line: Line) => number): { lines: Line[]; host: string; firstAfter: number } {
  const host = lines[at]!.hostname;
  const lastBefore = lines.slice(0, at).findLast((l) => l.hostname === host)!.sequence;
  const firstAfter = lines.findIndex((l, i) => i >= at && l.hostname === host);
  const base = start(lines[firstAfter]!);
  return { host, firstAfter, lines: lines.map((l, i) => (i >= at && l.hostname === host ? renumbered(l, base + l.sequence - lastBefore - 1) : l)) };
}

test('a host’s counter restarting from 1 after 20,000 records: 1 reset, 0 duplicates, 0 lost, one warning naming the host', { timeout: 120_000 }, async () => {
  const { lines, host } = restarted(narrow, 20_000, () => 1);
  const run = await check('reset', lines);
  assert.deepEqual(run.totals, { rows: 4, lost: 0, duplicate: 0, resets: 1, late: 0, hours: 2 });
  const warnings = resetWarnings(run.output);
  assert.equal(warnings.length, 1, run.output);
  assert.ok(warnings[0]!.includes(host), warnings[0]);
});

test('the same restart with 1,000 lines of that host removed after it: exactly 1,000 lost', { timeout: 120_000 }, async () => {
  const { lines, host, firstAfter } = restarted(narrow, 20_000, () => 1);
  // A run is counted from its first number, and a loss after a host's last line shows nowhere.
  const last = lines.findLastIndex((l) => l.hostname === host);
  const removed = pickIndexes([...lines.keys()].filter((i) => i > firstAfter && i < last && lines[i]!.hostname === host), 1_000, 20);
  const { totals } = await check('reset-loss', lines.filter((_, i) => !removed.has(i)));
  assert.deepEqual(totals, { rows: 4, lost: 1_000, duplicate: 0, resets: 1, late: 0, hours: 2 });
});

test('a counter restarting at the Unix time × 1,000,000 after 30,000 records: 1 reset, 0 lost', { timeout: 120_000 }, async () => {
  const { lines } = restarted(narrow, 30_000, (line) => (Date.parse(line.dt) / 1000) * 1_000_000);
  assert.ok(lines.some((l) => l.sequence > 1.7e15));
  const { totals } = await check('time-reset', lines);
  assert.deepEqual(totals, { rows: 4, lost: 0, duplicate: 0, resets: 1, late: 0, hours: 2 });
});

test('a line sent twice: 1 duplicate, 0 lost', { timeout: 120_000 }, async () => {
  const lines = [...narrow];
  lines.splice(15_005, 0, narrow[15_000]!);
  const { totals } = await check('duplicate', lines);
  assert.deepEqual(totals, { rows: 4, lost: 0, duplicate: 1, resets: 0, late: 0, hours: 2 });
});

test('the same input run twice into the same output gives the same stats files', { timeout: 120_000 }, async () => {
  const output = join(work, 'twice-out');
  const first = await check('twice', narrow, output);
  const files = () => readdirSync(join(output, 'sequence-stats')).map((f) => [f, readFileSync(join(output, 'sequence-stats', f), 'utf8')]);
  const written = files();
  const second = await check('twice', narrow, output);
  assert.deepEqual(second.stats, first.stats);
  assert.deepEqual(files(), written);
  // The file input remembers what it read (docs/file-input.md), so the second run reads nothing
  // again; the check's own replay guard is exercised by the killed run below.
  assert.match(second.output, /source\s+spout\s+0\s/);
  assert.deepEqual(first.totals, { rows: 4, lost: 0, duplicate: 0, resets: 0, late: 0, hours: 2 });
});

test('a host’s last number survives the end of a run: the next run, over the next hour, counts the gap between them', { timeout: 120_000 }, async () => {
  const output = join(work, 'continued-out');
  const boundary = narrow.findIndex((l) => l.dt >= '2026-11-22T11:00:00Z');
  const host = narrow[boundary]!.hostname;
  const first = await check('before-11', narrow.slice(0, boundary), output);
  assert.deepEqual(first.totals, { rows: 2, lost: 0, duplicate: 0, resets: 0, late: 0, hours: 1 });
  // The next run starts without that host's first line of 11:00.
  const second = await check('from-11', narrow.slice(boundary + 1), output);
  assert.deepEqual(second.totals, { rows: 4, lost: 1, duplicate: 0, resets: 0, late: 0, hours: 2 });
  assert.deepEqual(second.stats.filter((r) => r.count_lost === 1).map((r) => [r.hostname, r.hour_start]), [[host, Date.UTC(2026, 10, 22, 11)]]);
});

test('a run killed (SIGKILL) after closing an hour and started again gives the stats of a run never killed', { timeout: 120_000 }, async () => {
  // The hour 10:00 closes ten minutes of event time past it, about 24,000 lines in; 16,000 follow.
  const input = join(work, 'killed.ndjson');
  writeFileSync(input, `${narrow.map((l) => l.text).join('\n')}\n`);
  const output = join(work, 'killed-out');
  const stats = join(output, 'sequence-stats');
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/nimbus.mjs'), ...localArgs(input, output)], { cwd: REPO_ROOT, stdio: 'ignore' });
  const exited = once(child, 'exit');
  await waitFor(() => existsSync(stats) && readdirSync(stats).some((f) => /^sequence-stats-20261122-10-\d+\.ndjson$/.test(f)), { timeoutMs: 60_000, message: 'the 10:00 stats file' });
  child.kill('SIGKILL');
  const [, signal] = await exited;
  assert.equal(signal, 'SIGKILL');
  assert.deepEqual(readdirSync(stats).filter((f) => f.includes('-11-')), [], 'killed before the end: 11:00 was not written yet');

  const restarted = await check('killed', narrow, output);
  const clean = await check('never-killed', narrow);
  assert.deepEqual(restarted.stats, clean.stats);
  assert.deepEqual(restarted.totals, { rows: 4, lost: 0, duplicate: 0, resets: 0, late: 0, hours: 2 });
});
