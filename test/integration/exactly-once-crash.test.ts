/**
 * Issue #3, the crash test: topologies/kafka-to-hdfs.ts run as a user runs it (`nimbus local`, a
 * real process), killed with SIGKILL three times in the middle of writing 500,000 records from
 * Kafka to HDFS, and restarted each time. Read back through WebHDFS, every record is there exactly
 * once, in the hour of its own event time, and no temporary file is left.
 *
 * The runs:
 * 1. from the start; killed once a fifth of the records is committed in HDFS;
 * 2. restarted on the same group (the spout starts past what HDFS holds); killed at 45%;
 * 3. restarted on a new consumer group with `skipCommitted=false`, as if the group's offsets were
 *    lost: every partition is read again from offset 0 and the sink alone must skip every record
 *    already committed; killed once it is past them and has written more;
 * 4. restarted on that group, run until every offset is committed in HDFS and in the group, then
 *    stopped with SIGINT.
 *
 * Kills are synchronized on progress read through WebHDFS (committed offsets) and Kafka (group
 * offsets), never on sleeps. Needs Kafka and HDFS (`bash infra/up.sh`), java for avro-tools.
 *
 * @squall-test slow (started first, so the two lanes of `npm test` end together)
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import avro from 'avsc';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { OffsetRangeFileNameFormat, type OffsetRanges, WebHdfsFileSystem, avroDecoderCodecs, scanOutput } from '../../bolts/hdfs/index.js';
import { Mulberry32, WebrequestGenerator } from '../../spouts/generator/index.js';
import { ensureTopic, produceLines } from '../../spouts/kafka/index.js';
import { avroTools, ensureAvroTools } from '../support/avro-tools.js';
import { REPO_ROOT, ensureInfra, infraSettings, testNames, waitFor } from '../support/index.js';

const N = 500_000;
const PARTITIONS = 6;
const HOSTS = 4;
const brokers = [...infraSettings.kafka.brokers];
const hdfsUrl = `http://${infraSettings.hdfs.host}:${infraSettings.hdfs.webhdfsPort}`;
const names = testNames('exactly-once-crash');
const root = names.hdfsPath;
const replayGroup = `${names.groupId}-replay`;
const fileNames = new OffsetRangeFileNameFormat();

let admin: Admin;
let fs: WebHdfsFileSystem;
const children: ChildProcess[] = [];
const observations: string[] = [];

/** `nimbus local topologies/kafka-to-hdfs.ts` as a child process, with what it printed. */
class TopologyProcess {
  readonly child: ChildProcess;
  output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(config: Record<string, string | number | boolean>) {
    const args = ['local', 'topologies/kafka-to-hdfs.ts', '--no-typecheck', '--metrics-port', '0', '--status-interval', '1'];
    for (const [k, v] of Object.entries(config)) args.push('-c', `${k}=${v}`);
    this.child = spawn(process.execPath, [join(REPO_ROOT, 'bin/nimbus.mjs'), ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(this.child);
    this.child.stdout!.on('data', (d: Buffer) => (this.output += d));
    this.child.stderr!.on('data', (d: Buffer) => (this.output += d));
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  /** The last lines it printed, for assertion messages. */
  tail(lines = 25): string {
    return this.output.trimEnd().split('\n').slice(-lines).join('\n');
  }

  /** Waits for `condition`, failing at once (with its output) if the process exits first. */
  async until<T>(condition: () => T | Promise<T>, message: string, timeoutMs = 120_000): Promise<NonNullable<T>> {
    const exited = this.exited.then(({ code, signal }) => {
      throw new Error(`the topology exited (code ${code}, signal ${signal}) while waiting for ${message}:\n${this.tail()}`);
    });
    return Promise.race([waitFor(condition, { timeoutMs, intervalMs: 200, message }), exited]);
  }

  /** Sums every series of a metric on its /metrics page. */
  async metric(name: string): Promise<number> {
    const url = await this.until(() => /metrics at (http:\/\/\S+)/.exec(this.output)?.[1], 'the metrics URL');
    const text = await (await fetch(url)).text();
    let sum = 0;
    for (const line of text.split('\n')) if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    return sum;
  }

  /** Sink and spout counters, read just before a kill. */
  async counters(): Promise<{ written: number; skipped: number; emitted: number }> {
    const [written, skipped, emitted] = await Promise.all([
      this.metric('squall_hdfs_sink_records_written_total'),
      this.metric('squall_hdfs_sink_records_skipped_total'),
      this.metric('squall_kafka_spout_records_emitted_total'),
    ]);
    return { written, skipped, emitted };
  }

  async kill9(): Promise<void> {
    assert.equal(this.child.exitCode, null, `the topology had already exited:\n${this.tail()}`);
    this.child.kill('SIGKILL');
    const { signal } = await this.exited;
    assert.equal(signal, 'SIGKILL');
  }
}

/** Generated varnishkafka records padded to ~1 KB, with the highest sequence of each host. */
function* records(maxSequence: Map<string, number>): Generator<{ value: string; partition: number }> {
  // 40 records per second of event time: 500,000 records cover 10:30:00 to 13:58:20, four hours.
  const generator = new WebrequestGenerator({ seed: 3, hosts: HOSTS, malformedShare: 0, incompleteShare: 0, recordsPerSecond: 40, startMs: Date.UTC(2026, 10, 22, 10, 30) });
  const rng = new Mulberry32(3);
  for (let i = 0; i < N; i++) {
    const record = generator.next().record!;
    maxSequence.set(record.hostname, Math.max(maxSequence.get(record.hostname) ?? 0, record.sequence));
    let token = '';
    const want = 1000 - JSON.stringify(record).length - 7;
    while (token.length < want) token += rng.nextUint32().toString(16).padStart(8, '0');
    record.uri_query += `&wprov=${token.slice(0, Math.max(0, want))}`;
    yield { value: JSON.stringify(record), partition: i % PARTITIONS };
  }
}

/** Committed offsets per source partition, as the sink would read them back. */
async function committed(): Promise<{ byPartition: Map<number, OffsetRanges>; total: number; temporary: number; files: number }> {
  const scan = await scanOutput(fs, root);
  const byPartition = new Map<number, OffsetRanges>();
  let total = 0;
  for (const [key, ranges] of scan.committed) {
    byPartition.set(Number(key.slice(key.lastIndexOf('/') + 1)), ranges);
    total += ranges.size;
  }
  return { byPartition, total, temporary: scan.temporary.length, files: scan.files };
}

async function groupOffsets(groupId: string): Promise<Map<number, number>> {
  const [group] = await admin.fetchOffsets({ groupId, topics: [names.topic] });
  return new Map((group?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
}

/** Every file below `dir`, recursively, through WebHDFS. */
async function tree(dir: string): Promise<{ path: string; rel: string; name: string }[]> {
  const out: { path: string; rel: string; name: string }[] = [];
  const visit = async (d: string, rel: string) => {
    for (const e of await fs.list(d)) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.type === 'directory') await visit(e.path, r);
      else out.push({ path: e.path, rel: r, name: e.name });
    }
  };
  await visit(dir, '');
  return out;
}

async function decodeAvro(bytes: Buffer): Promise<{ hostname: string; sequence: number; dt: string }[]> {
  const rows: { hostname: string; sequence: number; dt: string }[] = [];
  await new Promise<void>((resolve, reject) => {
    const decoder = new avro.streams.BlockDecoder({ codecs: avroDecoderCodecs() as never });
    decoder.on('data', (r: { hostname: string; sequence: number; dt: string }) => rows.push({ hostname: r.hostname, sequence: r.sequence, dt: r.dt }));
    decoder.on('end', resolve).on('error', reject);
    decoder.end(bytes);
  });
  return rows;
}

/** The hour directory a `dt` belongs in, worked out here independently of the sink. */
function hourDirOf(dt: string): string {
  const d = new Date(dt);
  const p = (n: number) => String(n).padStart(2, '0');
  return `year=${d.getUTCFullYear()}/month=${p(d.getUTCMonth() + 1)}/day=${p(d.getUTCDate())}/hour=${p(d.getUTCHours())}`;
}

before(async () => {
  await ensureInfra();
  await ensureAvroTools();
  admin = new Kafka({ brokers, clientId: 'squall-test-admin', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  fs = new WebHdfsFileSystem({ url: hdfsUrl });
});

after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await fs?.delete(root, { recursive: true }).catch(() => {});
  await fs?.close();
  await admin?.deleteTopics({ topics: [names.topic] }).catch(() => {});
  await admin?.deleteGroups([names.groupId, replayGroup]).catch(() => {});
  await admin?.disconnect();
});

test('500,000 records reach HDFS exactly once across three kill -9s and restarts', { timeout: 330_000 }, async (t) => {
  const started = performance.now();
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;

  // 1. 500,000 ~1 KB records from 4 hosts into a new 6-partition topic.
  await ensureTopic(brokers, names.topic, { partitions: PARTITIONS });
  const maxSequence = new Map<string, number>();
  const produced = await produceLines(brokers, names.topic, records(maxSequence), { batchSize: 1000, maxInFlight: 4 });
  assert.equal(produced.records, N);
  assert.equal(maxSequence.size, HOSTS);
  assert.equal([...maxSequence.values()].reduce((a, b) => a + b, 0), N, 'each host numbers its records 1, 2, 3, ...');
  const end = new Map((await admin.fetchTopicOffsets(names.topic)).map((p) => [p.partition, Number(p.high)]));
  assert.equal([...end.values()].reduce((a, b) => a + b, 0), N);
  observations.push(`produced ${N} records in ${(produced.durationMs / 1000).toFixed(1)} s`);

  const base = {
    brokers: brokers.join(','),
    topics: names.topic,
    hdfs: hdfsUrl,
    output: root,
    // A killed consumer stays in its group until its session times out; keep that short.
    sessionTimeoutMs: 8000,
    heartbeatIntervalMs: 1000,
    // The tail of the input is committed by age, not by maxSpoutPending.
    rotationMaxAgeMs: 3000,
  };

  const killWhen = async (run: TopologyProcess, label: string, ready: (c: Awaited<ReturnType<typeof committed>>) => boolean | Promise<boolean>) => {
    const seen = await run.until(async () => {
      const c = await committed();
      return (await ready(c)) ? c : undefined;
    }, `${label}: the kill condition`);
    const counters = await run.counters();
    await run.kill9();
    const after = await committed();
    observations.push(
      `${label}: killed at ${elapsed()} with ${seen.total} offsets in ${seen.files} committed files (${after.total} after the kill); ` +
        `temporary files left: ${after.temporary}; the run had emitted ${counters.emitted}, written ${counters.written} and skipped ${counters.skipped} records`,
    );
    return { before: seen, after, counters };
  };

  // 2. Run 1, killed at a fifth.
  const run1 = new TopologyProcess({ ...base, groupId: names.groupId });
  const kill1 = await killWhen(run1, 'run 1', (c) => c.total >= 0.2 * N);

  // Run 2 resumes past what HDFS holds; killed at 45%.
  const run2 = new TopologyProcess({ ...base, groupId: names.groupId });
  const kill2 = await killWhen(run2, 'run 2', (c) => c.total >= 0.45 * N);
  assert.ok(kill2.before.total > kill1.after.total, 'run 2 committed more');

  // Run 3 reads everything again from offset 0 (new group, no seek): the sink must skip it all.
  const before3 = await committed();
  const run3 = new TopologyProcess({ ...base, groupId: replayGroup, skipCommitted: false });
  const kill3 = await killWhen(run3, 'run 3', async (c) => {
    if (c.total < before3.total + 0.1 * N) return false;
    // The group is past every offset committed before the run: all of them went through the sink.
    const group = await groupOffsets(replayGroup);
    return [...before3.byPartition].every(([p, ranges]) => (group.get(p) ?? -1) > ranges.max!);
  });
  assert.ok(kill3.counters.skipped >= before3.total, `run 3 skipped ${kill3.counters.skipped} replayed records, fewer than the ${before3.total} committed before it`);

  // 4. Run 4, to the end: every offset in HDFS and in the group, then SIGINT.
  const run4 = new TopologyProcess({ ...base, groupId: replayGroup });
  await run4.until(async () => {
    const c = await committed();
    return [...end].every(([p, high]) => c.byPartition.get(p)?.size === high && c.byPartition.get(p)?.min === 0 && c.byPartition.get(p)?.max === high - 1);
  }, 'every offset committed in HDFS', 180_000);
  await run4.until(async () => {
    const group = await groupOffsets(replayGroup);
    return [...end].every(([p, high]) => group.get(p) === high);
  }, 'the group to commit every end offset');
  const last = await run4.counters();
  run4.child.kill('SIGINT');
  const exit = await run4.exited;
  assert.equal(exit.code, 0, run4.tail());
  assert.match(run4.output, /Topology 'kafka-to-hdfs' stopped after [\d.]+ s: interrupted\./);
  observations.push(`run 4: completed at ${elapsed()}; it emitted ${last.emitted}, wrote ${last.written} and skipped ${last.skipped} records`);

  // 3. Read everything back through WebHDFS.
  const files = await tree(root);
  const temporary = files.filter((f) => f.name.startsWith('_tmp.'));
  assert.deepEqual(temporary.map((f) => f.rel), [], 'no temporary file is left');
  assert.deepEqual(files.filter((f) => f.rel.startsWith('_errors/')).map((f) => f.rel), [], 'no record went to the error output');
  const partFiles = files.filter((f) => fileNames.parseCommitted(f.name) !== undefined);
  const byName = new Set(files.map((f) => f.rel));
  const seen = new Map([...maxSequence].map(([host, max]) => [host, new Uint8Array(max + 1)]));
  const offsets = new Map<number, [number, number][]>();
  const hours = new Set<string>();
  const boundaryHours = new Set<string>();
  const countOf = new Map<string, number>();
  let decoded = 0;
  for (const f of partFiles) {
    const dir = f.rel.slice(0, f.rel.length - f.name.length - 1);
    assert.match(dir, /^year=\d{4}\/month=\d{2}\/day=\d{2}\/hour=\d{2}$/, `${f.rel} sits in an hour directory`);
    const source = fileNames.parseCommitted(f.name)!;
    assert.equal(source.topic, names.topic);
    const manifest = `${dir}/${fileNames.manifest(f.name)}`;
    const ranges: [number, number][] = byName.has(manifest)
      ? (JSON.parse((await fs.read(`${root}/${manifest}`)).toString('utf8')) as { ranges: [number, number][] }).ranges
      : [[source.firstOffset, source.lastOffset]];
    const rows = await decodeAvro(await fs.read(f.path));
    assert.equal(rows.length, ranges.reduce((n, [a, b]) => n + b - a + 1, 0), `${f.rel} holds one record per offset its name (and manifest) claims`);
    countOf.set(f.rel, rows.length);
    for (const r of rows) {
      const marks = seen.get(r.hostname);
      assert.ok(marks !== undefined && r.sequence >= 1 && r.sequence < marks.length, `unexpected record ${r.hostname}#${r.sequence} in ${f.rel}`);
      assert.equal(marks[r.sequence], 0, `${r.hostname}#${r.sequence} appears twice (again in ${f.rel})`);
      marks[r.sequence] = 1;
      assert.equal(hourDirOf(r.dt), dir, `${r.hostname}#${r.sequence} (dt ${r.dt}) is in ${dir}`);
      if (r.dt.endsWith(':59:59Z')) boundaryHours.add(dir);
    }
    hours.add(dir);
    decoded += rows.length;
    const list = offsets.get(source.partition) ?? [];
    list.push(...ranges);
    offsets.set(source.partition, list);
  }
  assert.equal(decoded, N);
  for (const [host, marks] of seen) assert.equal(marks.indexOf(0, 1), -1, `every sequence of ${host} is present`);
  assert.ok(hours.size >= 4 && boundaryHours.size >= 3, `records span ${hours.size} hours, with xx:59:59 records in ${boundaryHours.size} of them`);
  // Each source offset is in exactly one committed file.
  for (const [p, high] of end) {
    const sorted = (offsets.get(p) ?? []).sort((a, b) => a[0] - b[0]);
    let next = 0;
    for (const [a, b] of sorted) {
      assert.equal(a, next, `partition ${p}: offsets from ${next} ${a < next ? 'are committed twice' : 'are missing'}`);
      next = b + 1;
    }
    assert.equal(next, high, `partition ${p} is committed up to its end`);
  }
  observations.push(`read back ${decoded} records from ${partFiles.length} committed files in ${hours.size} hours at ${elapsed()}`);

  // 4. avro-tools, an independent reader, counts the same records in a sample of files.
  const bySize = [...partFiles].sort((a, b) => countOf.get(a.rel)! - countOf.get(b.rel)!);
  const sample = [...new Set([bySize[0]!, bySize[bySize.length - 1]!, partFiles[0]!, partFiles[partFiles.length - 1]!])];
  const local = await mkdtemp(join(tmpdir(), 'squall-crash-avro-'));
  try {
    for (const [i, f] of sample.entries()) {
      const copy = join(local, `${i}-${f.name}`);
      await writeFile(copy, await fs.read(f.path));
      assert.equal((await avroTools('count', copy)).trim(), String(countOf.get(f.rel)), `avro-tools counts ${f.rel}`);
    }
  } finally {
    await rm(local, { recursive: true, force: true });
  }
  observations.push(`avro-tools counted the same records as avsc in ${sample.length} files; done at ${elapsed()}`);
  for (const o of observations) t.diagnostic(o);
});
