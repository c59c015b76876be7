/**
 * Issue #20, the re-dated records: 30,000 lines from `nimbus generate --hosts 2`, all in
 * 2026-11-22 10:00, run through `nimbus local topologies/webrequest.ts` once as generated and once
 * with two lines re-dated, a user pageview to 2099-01-01 (a cache host with a broken clock) and
 * another line to 1999-01-01. The two go to errors with the bound they broke; beyond them the
 * outputs are those of the clean run: the same refined partitions and `_SUCCESS` flags, the same
 * dumps (less the re-dated pageview), the same sequence stats (the two still count as delivered,
 * without a time: `count_incomplete`), and no pageview late.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, test } from 'node:test';
import { domainCodeOf } from '../../bolts/webrequest/pageview-dump.js';
import { repoTempDir, runNimbus } from '../support/index.js';

const work = repoTempDir('webrequest-event-time');
after(() => rmSync(work, { recursive: true, force: true }));

type Row = Record<string, unknown>;
const ndjson = (file: string): Row[] => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row);

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** What a run wrote, read back: refined records by key and partition, flags, dumps, stats, errors. */
function outputOf(output: string) {
  const files = filesUnder(output).map((f) => relative(output, f));
  const refined = new Map<string, { partition: string; record: Row }>();
  for (const f of files.filter((f) => /^webrequest\/year=.*\/part-[^/]+\.ndjson$/.test(f))) {
    for (const record of ndjson(join(output, f))) refined.set(`${record.hostname}#${record.sequence}`, { partition: f.slice(0, f.lastIndexOf('/')), record });
  }
  const dumps = new Map(files.filter((f) => f.startsWith('pageviews/')).map((f) => [f, readFileSync(join(output, f), 'utf8')]));
  const stats = files.filter((f) => f.startsWith('sequence-stats/')).flatMap((f) => ndjson(join(output, f)));
  const errors = files.filter((f) => f.startsWith('errors/')).flatMap((f) => ndjson(join(output, f)));
  return {
    refined,
    partitions: [...new Set([...refined.values()].map((r) => r.partition))].sort(),
    flags: files.filter((f) => f.endsWith('/_SUCCESS')).sort(),
    dumps,
    stats,
    errors,
    /** An error's position in its input (`@offset`, the line number): both inputs are one file, read alike. */
    errorAt: (e: Row) => String(e.origin).slice(String(e.origin).lastIndexOf('@') + 1),
  };
}

async function refine(input: string, output: string) {
  const r = await runNimbus(['local', 'topologies/webrequest.ts', '--no-typecheck', '-q', '-c', `input=${input}`, '-c', `output=${output}`, '-c', 'format=ndjson']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /input exhausted, every tuple acked/);
  return r;
}

test('two re-dated records (2099, 1999) go to errors with their reasons; beyond them the outputs equal the clean run', { timeout: 180_000 }, async () => {
  const cleanInput = join(work, 'clean.ndjson');
  const gen = await runNimbus(['generate', '-n', '30000', '--hosts', '2', '-o', cleanInput]);
  assert.equal(gen.code, 0, gen.stderr);
  await refine(cleanInput, join(work, 'out-clean'));
  const clean = outputOf(join(work, 'out-clean'));
  assert.deepEqual(clean.partitions, ['webrequest/year=2026/month=11/day=22/hour=10'], 'all in 10:00');

  // Re-date a user pageview to 2099 and the first refined line after line 20,000 to 1999.
  const lines = readFileSync(cleanInput, 'utf8').split('\n');
  const refinedAt = (i: number) => {
    try {
      const raw = JSON.parse(lines[i]!) as Row;
      return clean.refined.get(`${raw.hostname}#${raw.sequence}`)?.record;
    } catch {
      return undefined;
    }
  };
  let ahead = 10_000;
  while (!(refinedAt(ahead)?.is_pageview === true && refinedAt(ahead)?.agent_type === 'user')) ahead++;
  let old = 20_000;
  while (refinedAt(old) === undefined) old++;
  const redated = [[ahead, '2099-01-01T00:00:00Z'], [old, '1999-01-01T00:00:00Z']] as const;
  const dirtyLines = [...lines];
  for (const [i, dt] of redated) dirtyLines[i] = JSON.stringify({ ...(JSON.parse(lines[i]!) as Row), dt });
  const dirtyInput = join(work, 'dirty.ndjson');
  writeFileSync(dirtyInput, dirtyLines.join('\n'));
  const run = await refine(dirtyInput, join(work, 'out-dirty'));
  const dirty = outputOf(join(work, 'out-dirty'));

  // The two re-dated records: in errors with the bound and the value, counted in the summary.
  const cleanErrors = new Set(clean.errors.map(clean.errorAt));
  const added = dirty.errors.filter((e) => !cleanErrors.has(dirty.errorAt(e)));
  assert.deepEqual(added.map((e) => [dirty.errorAt(e), e.reason]), [
    [String(ahead + 1), `event time 2099-01-01T00:00:00.000Z is more than eventTimeMaxAheadMs=600000 (10 min) ahead of the wall clock (${/\((\d{4}-[^)]+)\)/.exec(String(added[0]?.reason))?.[1]})`],
    [String(old + 1), "event time 1999-01-01T00:00:00.000Z is more than eventTimeMaxAgeMs=604800000 (7 d) older than its partition's low watermark (" + /\((\d{4}-[^)]+)\)$/.exec(String(added[1]?.reason))?.[1] + ')'],
  ]);
  assert.match(String(added[0]!.reason), /ahead of the wall clock \(\d{4}-\d\d-\d\dT/);
  assert.match(String(added[1]!.reason), /low watermark \(2026-11-22T10:/);
  assert.equal(dirty.errors.length, clean.errors.length + 2, 'no other error');
  assert.ok(added.every((e) => !/\d+\.\d+\.\d+\.\d+"/.test(String(e.value)) && String(e.value).includes('[ip redacted]')), 'their IPs are redacted');
  assert.match(run.stderr, /event time: 2 records were outside the bounds and went to errors: 1 ahead of the wall clock \(ahead\), 1 too old \(too_old\)/);

  // Beyond them, the clean run's outputs.
  const keysOf = (i: number) => {
    const raw = JSON.parse(lines[i]!) as Row;
    return `${raw.hostname}#${raw.sequence}`;
  };
  const removed = new Set(redated.map(([i]) => keysOf(i)));
  assert.deepEqual(dirty.partitions, clean.partitions, 'no year=2099 or year=1999 partition');
  assert.deepEqual(dirty.flags, clean.flags, 'the same _SUCCESS flags');
  assert.deepEqual([...dirty.refined.keys()].sort(), [...clean.refined.keys()].filter((k) => !removed.has(k)).sort(), 'the same refined records but the two');
  for (const [key, { partition, record }] of dirty.refined) assert.deepEqual([partition, record.dt], [clean.refined.get(key)!.partition, clean.refined.get(key)!.record.dt]);

  assert.deepEqual([...dirty.dumps.keys()], ['pageviews/pageviews-20261122-100000'], 'one dump, no 2099 or 1999 dump');
  assert.deepEqual([...clean.dumps.keys()], ['pageviews/pageviews-20261122-100000']);
  // The dump keys of the re-dated lines that are user pageviews (the 2099 one is, the other may be).
  const redatedPageviews = new Map<string, number>();
  for (const [i] of redated) {
    const r = clean.refined.get(keysOf(i))!.record;
    const info = r.pageview_info as { project: string; page_title: string } | null;
    const code = info === null ? undefined : domainCodeOf(info.project, r.access_method as never);
    if (r.is_pageview === true && r.agent_type === 'user' && code !== undefined) redatedPageviews.set(`${code} ${info!.page_title}`, (redatedPageviews.get(`${code} ${info!.page_title}`) ?? 0) + 1);
  }
  assert.ok(redatedPageviews.size >= 1);
  const expected = [...clean.dumps.values()][0]!
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => {
      const [code, title, n] = l.split(' ');
      const less = Number(n) - (redatedPageviews.get(`${code} ${title}`) ?? 0);
      return less === 0 ? [] : [`${code} ${title} ${less} 0`];
    });
  const dump = [...dirty.dumps.values()][0]!.split('\n').filter(Boolean);
  assert.deepEqual(dump, expected, 'the same dump, less the re-dated pageviews');
  const total = (ls: string[]) => ls.reduce((n, l) => n + Number(l.split(' ')[2]), 0);
  const removedPageviews = [...redatedPageviews.values()].reduce((a, b) => a + b, 0);
  assert.equal(total(dump), total([...clean.dumps.values()][0]!.split('\n').filter(Boolean)) - removedPageviews);
  assert.ok(total(dump) > 15_000, `the 10:00 dump counts every user pageview: ${total(dump)}`);
  assert.deepEqual(dirty.errors.filter((e) => /late pageview/.test(String(e.reason))), [], 'no pageview late');

  const hosts = new Map<string, number>();
  for (const [i] of redated) hosts.set(String((JSON.parse(lines[i]!) as Row).hostname), (hosts.get(String((JSON.parse(lines[i]!) as Row).hostname)) ?? 0) + 1);
  const byHost = (rows: Row[]) => new Map(rows.map((r) => [`${r.hostname} ${r.hour_start}`, r]));
  const cleanStats = byHost(clean.stats);
  assert.equal(dirty.stats.length, clean.stats.length, 'the same host-hours: none in 2099 or 1999');
  for (const [key, row] of byHost(dirty.stats)) {
    const before = cleanStats.get(key);
    assert.ok(before, `${key} is a host-hour of the clean run`);
    const host = String(row.hostname);
    assert.deepEqual(row, { ...before, count_incomplete: (before.count_incomplete as number) + (hosts.get(host) ?? 0) }, `${key}: the same stats; the re-dated lines counted as delivered, without a time`);
  }
});
