/**
 * Issue #20 against Kafka: `nimbus local topologies/webrequest.ts -c input=kafka`, as users run it.
 * - A cache host whose clock runs 2 hours ahead sends to one partition: its records go to errors by
 *   the bound, and the other partitions' hour closes on time (its dump and stats are written while
 *   the topology runs, with every user pageview of the hour, none late).
 * - One partition goes idle: it holds its hour open (the hour closes on the slowest partition)
 *   until the idle timeout, and then the hour closes.
 * - A backfill: a topic of last week's records, read with `eventTimeReference=stream`, is refined
 *   completely with no error from the bounds (read by the wall clock, every record is too old).
 * Needs Kafka (`bash infra/up.sh`); the output is on the local disk.
 *
 * @squall-test slow (started first, so the two lanes of `npm test` end together)
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { LocalFileSystem, scanOutput } from '../../bolts/hdfs/index.js';
import { domainCodeOf } from '../../bolts/webrequest/pageview-dump.js';
import { WebrequestGenerator } from '../../spouts/generator/index.js';
import { ensureTopic, produceLines } from '../../spouts/kafka/index.js';
import { ensureInfra, infraSettings, testNames, waitFor } from '../support/index.js';
import { TopologyProcess } from '../support/topology-process.js';

const brokers = [...infraSettings.kafka.brokers];
const MIN = 60_000;
const HOUR = 3_600_000;
const topics: string[] = [];
let admin: Admin;

before(async () => {
  await ensureInfra();
  admin = new Kafka({ brokers, clientId: 'event-time-test', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
});
after(async () => {
  await admin?.deleteTopics({ topics }).catch(() => {});
  await admin?.disconnect();
});

type Row = Record<string, unknown>;
type Line = { value: string; partition: number };

/**
 * Generated lines (no malformed or incomplete ones) from `startMs` over `spanMs` of event time,
 * 10 a second. Each host goes to a partition of its own, from `firstPartition` on; `hostname`
 * renames the (single) host.
 */
function lines(startMs: number, spanMs: number, options: { hosts: number; firstPartition: number; seed: number; hostname?: string }): Line[] {
  const generator = new WebrequestGenerator({ seed: options.seed, hosts: options.hosts, malformedShare: 0, incompleteShare: 0, recordsPerSecond: 10, startMs });
  const partitions = new Map<string, number>();
  const out: Line[] = [];
  for (let i = 0; i < (spanMs / 1000) * 10; i++) {
    const record = generator.next().record!;
    if (!partitions.has(record.hostname)) partitions.set(record.hostname, options.firstPartition + partitions.size);
    const partition = partitions.get(record.hostname)!;
    out.push({ value: JSON.stringify(options.hostname === undefined ? record : { ...record, hostname: options.hostname }), partition });
  }
  return out;
}

async function newTopic(label: string, partitions: number) {
  const names = testNames(label);
  await ensureTopic(brokers, names.topic, { partitions });
  topics.push(names.topic);
  return names;
}

async function start(t: TestContext, label: string, names: { topic: string; groupId: string }, config: Record<string, string | number>) {
  const output = await mkdtemp(join(tmpdir(), `squall-event-time-${label}-`));
  const proc = new TopologyProcess(label, 'topologies/webrequest.ts', { input: 'kafka', brokers: brokers.join(','), topics: names.topic, groupId: names.groupId, output, format: 'ndjson', threads: 0, ...config });
  t.after(async () => {
    await proc.kill9();
    await rm(output, { recursive: true, force: true });
    await admin.deleteGroups([names.groupId]).catch(() => {});
  });
  /** Waits for `condition`, failing at once (with its output) if the process exits first. */
  const until = <T>(condition: () => T | Promise<T>, message: string, timeoutMs = 120_000) =>
    Promise.race([
      waitFor(condition, { timeoutMs, intervalMs: 250, message }),
      proc.exited.then(({ code, signal }) => assert.fail(`the topology exited (${code ?? signal}) while waiting for ${message}:\n${proc.tail()}`)),
    ]);
  return { output, proc, until };
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}
/** The rows of the committed NDJSON files under `dir` (none of whose path below it starts with `_`). */
const ndjson = (dir: string): Row[] =>
  filesUnder(dir)
    .filter((f) => f.endsWith('.ndjson') && !f.slice(dir.length).split('/').some((part) => part.startsWith('_')))
    .flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row));

/** The offsets of source partition `partition` committed in the refined output, from 0 on. */
async function committedThrough(output: string, topic: string, partition: number): Promise<number> {
  const scan = await scanOutput(new LocalFileSystem(), join(output, 'webrequest'));
  return scan.committed.get(`${topic}/${partition}`)?.nextMissing(0) ?? 0;
}

function dumpPath(output: string, hour: number): string {
  const d = new Date(hour).toISOString();
  return join(output, 'pageviews', `pageviews-${d.slice(0, 4)}${d.slice(5, 7)}${d.slice(8, 10)}-${d.slice(11, 13)}0000`);
}
const dumpTotal = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).reduce((n, l) => n + Number(l.split(' ')[2]), 0);

/** The refined user pageviews of an hour, as the dumps count them. */
function userPageviews(output: string, hour: number): number {
  const rows = ndjson(join(output, 'webrequest')).filter((r) => (r.ts as number) >= hour && (r.ts as number) < hour + HOUR);
  return rows.filter((r) => {
    const info = r.pageview_info as { project: string } | null;
    return r.is_pageview === true && r.agent_type === 'user' && info !== null && domainCodeOf(info.project, r.access_method as never) !== undefined;
  }).length;
}

const countsOf = (lines: readonly Line[], partition: number) => lines.filter((l) => l.partition === partition).length;

test('a host 2 hours ahead: its records go to errors by the bound, and the other partitions close their hour on time', { timeout: 240_000 }, async (t) => {
  const names = await newTopic('event-time-ahead', 3);
  // Two hosts on partitions 0 and 1, from 10 minutes before an hour's end (two hours ago) to 10 after.
  const hour = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;
  const onTime = lines(hour + 50 * MIN, 20 * MIN, { hosts: 2, firstPartition: 0, seed: 31 });
  // A host on partition 2 whose clock runs 2 hours ahead of the wall clock.
  const ahead = lines(Date.now() + 2 * HOUR, 30_000, { hosts: 1, firstPartition: 2, seed: 32, hostname: 'cp9999.ahead.wmnet' });
  await produceLines(brokers, names.topic, [...onTime, ...ahead], { batchSize: 1000 });
  const { output, proc, until } = await start(t, 'ahead', names, { allowedLatenessMs: MIN });

  const dump = dumpPath(output, hour);
  await until(() => existsSync(dump), 'the dump of the hour partitions 0 and 1 closed');
  assert.ok(proc.running, 'the hour closed while the topology runs, not at its end');
  await until(async () => (await committedThrough(output, names.topic, 0)) === countsOf(onTime, 0) && (await committedThrough(output, names.topic, 1)) === countsOf(onTime, 1), 'partitions 0 and 1 to be committed');
  const refused = () => ndjson(join(output, 'errors')).filter((e) => String(e.reason).startsWith('event time '));
  await until(() => refused().length === ahead.length, `the ${ahead.length} records of the host ahead in errors`);

  assert.ok(refused().every((e) => /^event time \S+ is more than eventTimeMaxAheadMs=600000 \(10 min\) ahead of the wall clock/.test(String(e.reason)) && String(e.origin).startsWith(`${names.topic}/2@`)), 'each by the bound');
  assert.match(proc.output, /event time: cp9999\.ahead\.wmnet sent a record outside the bounds/);
  assert.equal(proc.output.match(/event time: cp9999\.ahead\.wmnet sent a record/g)!.length, 1, 'one warning for the host');
  assert.equal(await committedThrough(output, names.topic, 2), 0, 'nothing of partition 2 reached the refined output');
  const partitions = new Set(filesUnder(join(output, 'webrequest')).filter((f) => /part-[^/]+\.ndjson$/.test(f)).map((f) => /year=(\d+)\/month=(\d+)\/day=(\d+)\/hour=(\d+)/.exec(f)!.slice(1).join('-')));
  const hourName = (ms: number) => new Date(ms).toISOString().slice(0, 13).replace('T', '-');
  assert.deepEqual([...partitions].sort(), [hourName(hour), hourName(hour + HOUR)], 'no partition in the future');
  assert.ok(existsSync(join(output, 'webrequest', ...hourName(hour).split('-').map((v, i) => `${['year', 'month', 'day', 'hour'][i]}=${v}`), '_SUCCESS')), 'the hour is flagged _SUCCESS');
  assert.equal(dumpTotal(dump), userPageviews(output, hour), "the dump holds every user pageview of the hour");
  assert.ok(dumpTotal(dump) > 1000);
  const stats = ndjson(join(output, 'sequence-stats'));
  // The host ahead's records were delivered: the check counts them, without a time (count_incomplete), never in the future.
  const onTimeStats = stats.filter((s) => s.hour_start === hour && s.hostname !== 'cp9999.ahead.wmnet');
  assert.deepEqual(onTimeStats.map((s) => [s.count_lost, s.count_late]), [[0, 0], [0, 0]], 'the hour’s stats of the two hosts: nothing lost, nothing late');
  assert.ok(stats.every((s) => (s.hour_start as number) <= Date.now()), 'no stats for an hour to come');
  assert.deepEqual(ndjson(join(output, 'errors')).filter((e) => /late pageview/.test(String(e.reason))), [], 'no pageview late');
  assert.equal((await proc.interrupt()).code, 0, proc.tail());
});

test('an idle partition holds its hour open until the idle timeout, then the hour closes', { timeout: 300_000 }, async (t) => {
  const IDLE_MS = 60_000;
  const names = await newTopic('event-time-idle', 3);
  const hour = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;
  const { output, proc, until } = await start(t, 'idle', names, { allowedLatenessMs: MIN, idlePartitionMs: IDLE_MS });
  // Partition 2 sends a minute of records at 50 minutes past the hour, then nothing more.
  const slow = lines(hour + 50 * MIN, MIN, { hosts: 1, firstPartition: 2, seed: 41, hostname: 'cp9998.idle.wmnet' });
  const slowProducedAt = Date.now();
  await produceLines(brokers, names.topic, slow, { batchSize: 1000 });
  await until(async () => (await committedThrough(output, names.topic, 2)) === slow.length, 'partition 2 to be refined');
  // Partitions 0 and 1 go on past the hour's end and its allowed lateness.
  const fast = lines(hour + 50 * MIN, 20 * MIN, { hosts: 2, firstPartition: 0, seed: 42 });
  await produceLines(brokers, names.topic, fast, { batchSize: 1000 });
  await until(async () => (await committedThrough(output, names.topic, 0)) === countsOf(fast, 0) && (await committedThrough(output, names.topic, 1)) === countsOf(fast, 1), 'partitions 0 and 1 to be refined');

  const dump = dumpPath(output, hour);
  // Refine saw partition 2's records after they were produced, so it is not idle before this.
  if (Date.now() < slowProducedAt + IDLE_MS) assert.ok(!existsSync(dump), 'partition 2 (at 10:51) holds the hour open: it closes on the slowest partition');
  else t.diagnostic('the steps took longer than the idle timeout: the hold was not observed');
  await until(() => existsSync(dump), 'the hour to close once partition 2 is idle', 180_000);
  assert.ok(Date.now() >= slowProducedAt + IDLE_MS, 'not before the idle timeout');
  assert.ok(proc.running);
  assert.equal(dumpTotal(dump), userPageviews(output, hour), 'every user pageview of the hour, partition 2’s included');
  const stats = ndjson(join(output, 'sequence-stats')).filter((s) => s.hour_start === hour);
  assert.deepEqual(stats.map((s) => s.hostname).sort(), [...new Set([...fast, ...slow].map((l) => (JSON.parse(l.value) as Row).hostname as string))].sort(), 'each host’s stats for the hour');
  assert.ok(stats.every((s) => s.count_lost === 0 && s.count_late === 0));
  assert.equal((await proc.interrupt()).code, 0, proc.tail());
});

test("a backfill of last week's topic with eventTimeReference=stream is refined completely, with no error from the bounds; by the wall clock every record is too old", { timeout: 240_000 }, async (t) => {
  const names = await newTopic('event-time-backfill', 2);
  const lastWeek = Math.floor((Date.now() - 8 * 24 * HOUR) / HOUR) * HOUR;
  const backlog = lines(lastWeek + 30 * MIN, 2 * HOUR, { hosts: 2, firstPartition: 0, seed: 51 }).filter((_, i) => i % 20 === 0);
  await produceLines(brokers, names.topic, backlog, { batchSize: 1000 });

  const stream = await start(t, 'backfill', names, { eventTimeReference: 'stream' });
  await stream.until(async () => (await committedThrough(stream.output, names.topic, 0)) === countsOf(backlog, 0) && (await committedThrough(stream.output, names.topic, 1)) === countsOf(backlog, 1), 'every record refined');
  assert.equal((await stream.proc.interrupt()).code, 0, stream.proc.tail());
  assert.deepEqual(ndjson(join(stream.output, 'errors')).filter((e) => String(e.reason).startsWith('event time ')), [], 'no error from the bounds');
  assert.doesNotMatch(stream.proc.output, /outside the bounds/);
  assert.equal(ndjson(join(stream.output, 'webrequest')).length, backlog.length, 'every record refined, once');

  const wall = await start(t, 'backfill-wall', { topic: names.topic, groupId: `${names.groupId}-wall` }, { eventTimeReference: 'wall-clock' });
  await wall.until(() => ndjson(join(wall.output, 'errors')).length === backlog.length, 'every record in errors');
  assert.ok(ndjson(join(wall.output, 'errors')).every((e) => /older than the wall clock/.test(String(e.reason))));
  assert.equal(ndjson(join(wall.output, 'webrequest')).length, 0);
});
