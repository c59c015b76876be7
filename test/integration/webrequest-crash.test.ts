/**
 * Issue #12 (and #20's last item): `nimbus local topologies/webrequest.ts -c input=kafka`, output on
 * HDFS, killed with SIGKILL twice while records flow (some of them malformed), and restarted.
 * Read back through WebHDFS, the side outputs are as exactly-once as the refined Avro files, with
 * the shared watermark closing the hours:
 * - each closed hour's pageview dump total, plus that hour's late pageviews in errors, equals the
 *   refined user pageviews of the hour (is_pageview, agent_type=user, read back from the Avro);
 * - the error output holds each bad record once, and every offset is either refined or in errors,
 *   never both;
 * - no pageview is late: after a restart, an hour closes only once every partition read before is
 *   read again (or idle), not on the partition read first;
 * - no dump part or temporary file is left.
 * Kills are synchronized on progress read through WebHDFS, never on sleeps. Needs Kafka and HDFS.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import avro from 'avsc';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { OffsetRangeFileNameFormat, WebHdfsFileSystem, avroDecoderCodecs, scanOutput } from '../../bolts/hdfs/index.js';
import { domainCodeOf } from '../../bolts/webrequest/pageview-dump.js';
import { ensureTopic } from '../../spouts/kafka/index.js';
import { ensureInfra, infraSettings, testNames, waitFor } from '../support/index.js';
import { TopologyProcess } from '../support/topology-process.js';
import { produceSteadily } from '../support/webrequest-output.js';

const N = 30_000;
const PARTITIONS = 4;
/** Event time: 2.5 records a second from 10:00, so 10:00 to 13:20: hours 10, 11 and 12 close while it runs. */
const PER_SECOND = 2.5;
const HOUR = 3_600_000;
const brokers = [...infraSettings.kafka.brokers];
const hdfsUrl = `http://${infraSettings.hdfs.host}:${infraSettings.hdfs.webhdfsPort}`;
const names = testNames('webrequest-crash');
const root = names.hdfsPath;
const fileNames = new OffsetRangeFileNameFormat();

let admin: Admin;
let fs: WebHdfsFileSystem;
const runs: TopologyProcess[] = [];

before(async () => {
  await ensureInfra();
  admin = new Kafka({ brokers, clientId: 'webrequest-crash-test', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  fs = new WebHdfsFileSystem({ url: hdfsUrl });
});

after(async () => {
  for (const run of runs) await run.kill9();
  await fs?.delete(root, { recursive: true }).catch(() => {});
  await fs?.close();
  await admin?.deleteTopics({ topics: [names.topic] }).catch(() => {});
  await admin?.deleteGroups([names.groupId]).catch(() => {});
  await admin?.disconnect();
});

type Row = Record<string, unknown>;

/** `pageviews-YYYYMMDD-HH0000`, worked out here independently of the writer. */
const dumpName = (hour: number) => `pageviews-${new Date(hour).toISOString().slice(0, 10).replace(/-/g, '')}-${new Date(hour).toISOString().slice(11, 13)}0000`;

/** Every file below `dir`, recursively (none when it does not exist). */
async function tree(dir: string): Promise<{ path: string; rel: string; name: string }[]> {
  const out: { path: string; rel: string; name: string }[] = [];
  const visit = async (d: string, rel: string) => {
    for (const e of await fs.list(d).catch(() => [])) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.type === 'directory') await visit(e.path, r);
      else out.push({ path: e.path, rel: r, name: e.name });
    }
  };
  await visit(dir, '');
  return out;
}

/** Offsets committed in the refined output. */
async function refinedOffsets(): Promise<number> {
  const scan = await scanOutput(fs, `${root}/webrequest`);
  return [...scan.committed.values()].reduce((n, r) => n + r.size, 0);
}

/** The error records, from every committed error file. */
async function errors(): Promise<Row[]> {
  const files = (await tree(`${root}/errors`)).filter((f) => /^errors-[\d-]+\.ndjson$/.test(f.name));
  const rows: Row[] = [];
  for (const f of files) for (const line of (await fs.read(f.path)).toString('utf8').split('\n')) if (line !== '') rows.push(JSON.parse(line) as Row);
  return rows;
}

async function decodeAvro(bytes: Buffer): Promise<Row[]> {
  const rows: Row[] = [];
  await new Promise<void>((resolve, reject) => {
    const decoder = new avro.streams.BlockDecoder({ codecs: avroDecoderCodecs() as never });
    decoder.on('data', (r: Row) => rows.push({ ts: r.ts, is_pageview: r.is_pageview, agent_type: r.agent_type, access_method: r.access_method, pageview_info: r.pageview_info }));
    decoder.on('end', resolve).on('error', reject);
    decoder.end(bytes);
  });
  return rows;
}

/** Starts a run on the test's topic, group and output. */
function start(label: string): TopologyProcess {
  const run = new TopologyProcess(label, 'topologies/webrequest.ts', {
    input: 'kafka',
    brokers: brokers.join(','),
    topics: names.topic,
    groupId: names.groupId,
    hdfs: hdfsUrl,
    output: root,
    threads: 0,
    // Records of 2026-11-22: bounded by the stream's own progress, not the wall clock.
    eventTimeReference: 'stream',
    allowedLatenessMs: 60_000,
    // A killed member stays in its group until its session times out: keep that short.
    sessionTimeoutMs: 8_000,
    heartbeatIntervalMs: 1_000,
    maxSpoutPending: 2_000,
  });
  runs.push(run);
  return run;
}

/** What a run logged, without its status lines. */
function logOf(run: TopologyProcess): string {
  return run.output.split('\n').filter((l) => !l.startsWith('[')).slice(-40).join('\n');
}

/** Waits for `condition`, failing at once (with its output) if the run exits first. */
function until<T>(run: TopologyProcess, condition: () => T | Promise<T>, message: string, timeoutMs = 120_000): Promise<NonNullable<T>> {
  return Promise.race([
    waitFor(condition, { timeoutMs, intervalMs: 250, message }).catch((error: unknown) => assert.fail(`${(error as Error).message}\n${logOf(run)}`)),
    run.exited.then(({ code, signal }) => assert.fail(`the topology exited (${code ?? signal}) while waiting for ${message}:\n${run.tail()}`)),
  ]);
}

test('kill -9 twice while records flow: each closed hour’s dump plus its late pageviews equals its refined user pageviews, and each bad record is in errors once', { timeout: 300_000 }, async (t) => {
  const started = performance.now();
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
  await ensureTopic(brokers, names.topic, { partitions: PARTITIONS });
  const producing = produceSteadily(brokers, names.topic, { records: N, partitions: PARTITIONS, spreadMs: 20_000, malformedShare: 0.02, recordsPerSecond: PER_SECOND, seed: 12 });

  const run1 = start('run 1');
  // After the first hour's dump: a kill then has counts of a closed hour behind it, and replays of it ahead.
  await until(run1, async () => (await refinedOffsets()) >= 0.3 * N && (await tree(`${root}/pageviews`)).some((f) => f.name === dumpName(Date.UTC(2026, 10, 22, 10))), 'a third of the records refined, and the first dump written');
  await run1.kill9();
  t.diagnostic(`run 1 killed at ${elapsed()} with ${await refinedOffsets()} records refined`);

  const run2 = start('run 2');
  const before2 = await refinedOffsets();
  await until(run2, async () => (await refinedOffsets()) >= Math.max(0.6 * N, before2 + 0.15 * N), 'run 2 to refine a further part of the records');
  await run2.kill9();
  t.diagnostic(`run 2 killed at ${elapsed()} with ${await refinedOffsets()} records refined`);

  await producing;
  const run3 = start('run 3');
  await until(run3, async () => (await refinedOffsets()) + (await errors()).filter((e) => e.from === 'refine').length >= N, 'every record refined or in errors', 100_000);
  const closed = [0, 1, 2].map((h) => Date.UTC(2026, 10, 22, 10 + h));
  await until(run3, async () => {
    const present = new Set((await tree(`${root}/pageviews`)).map((f) => f.name));
    return closed.every((h) => present.has(dumpName(h)));
  }, 'the dumps of hours 10, 11 and 12');
  assert.equal((await run3.interrupt()).code, 0, run3.tail());
  t.diagnostic(`run 3 done at ${elapsed()}`);

  // The refined user pageviews of each hour, from the Avro files through WebHDFS.
  const files = await tree(root);
  assert.deepEqual(files.filter((f) => f.name.startsWith('_tmp.')).map((f) => f.rel), [], 'no temporary file is left');
  const refinedByHour = new Map<number, number>();
  let refined = 0;
  for (const f of files.filter((f) => f.rel.startsWith('webrequest/') && fileNames.parseCommitted(f.name) !== undefined)) {
    for (const r of await decodeAvro(await fs.read(f.path))) {
      refined++;
      const info = r.pageview_info as { project: string } | null;
      if (r.is_pageview !== true || r.agent_type !== 'user' || info === null || domainCodeOf(info.project, r.access_method as never) === undefined) continue;
      const hour = Math.floor((r.ts as number) / HOUR) * HOUR;
      refinedByHour.set(hour, (refinedByHour.get(hour) ?? 0) + 1);
    }
  }
  assert.equal(refined, await refinedOffsets(), 'one refined record per committed offset');

  const errorRows = await errors();
  const late = new Map<number, number>();
  for (const e of errorRows.filter((e) => e.from === 'pageview-counts')) {
    const hour = Date.parse(/late pageview for hour (\S+):/.exec(String(e.reason))![1]!);
    late.set(hour, (late.get(hour) ?? 0) + 1);
  }
  for (const hour of closed) {
    const dump = files.find((f) => f.name === dumpName(hour))!;
    const total = (await fs.read(dump.path)).toString('utf8').split('\n').filter(Boolean).reduce((n, l) => n + Number(l.split(' ')[2]), 0);
    t.diagnostic(`${dumpName(hour)}: dump ${total}, late ${late.get(hour) ?? 0}, refined user pageviews ${refinedByHour.get(hour) ?? 0}`);
    assert.ok(total > 1000, `${dumpName(hour)} counts the hour`);
    assert.equal(total + (late.get(hour) ?? 0), refinedByHour.get(hour), `${dumpName(hour)}: the dump plus the late pageviews are the refined user pageviews of the hour`);
  }
  // The records arrive in time order per partition: with the shared watermark, restarts included,
  // none is late (#20: hours close on the slowest partition, also one not read again yet).
  assert.deepEqual([...late], [], 'no pageview is late');
  const origins = errorRows.map((e) => `${String(e.from)} ${String(e.origin)}`);
  const twice = origins.filter((o, i) => origins.indexOf(o) !== i);
  assert.deepEqual(twice, [], 'each bad record (and each late pageview) is in errors once');
  const bad = errorRows.filter((e) => e.from === 'refine');
  assert.ok(bad.length > 0.01 * N, `malformed records reached errors: ${bad.length}`);
  assert.equal(refined + bad.length, N, 'every record is refined or in errors, not both');
  const scan = await scanOutput(fs, `${root}/webrequest`);
  for (const e of bad) {
    const [, source, offset] = /^(.+)@(\d+)$/.exec(String(e.origin))!;
    assert.equal(scan.committed.get(source!)?.has(Number(offset)) === true, false, `${String(e.origin)} is in errors and refined`);
  }

  assert.deepEqual(files.filter((f) => f.rel.startsWith('pageviews/_parts/') && closed.some((h) => f.name.startsWith(dumpName(h)))).map((f) => f.rel), [], 'the parts of the written dumps are gone');
});
