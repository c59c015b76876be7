/**
 * Issue #3: topologies/kafka-to-hdfs.ts on the local filesystem, local mode's default. Run as a
 * user runs it, `nimbus local` with no `hdfs` and no `output`, in an empty working directory: the
 * output lands in `./out/kafka-to-hdfs` with the layout HDFS gets
 * (`year=YYYY/month=MM/day=DD/hour=HH/part-<topic>-<partition>-<first>-<last>.avro`, `_errors`,
 * `_hive`), every record once, in the hour of its own `dt`. A second run reads only what was
 * produced since.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import avro from 'avsc';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { avroDecoderCodecs } from '../../bolts/hdfs/index.js';
import { WebrequestGenerator } from '../../spouts/generator/index.js';
import { ensureTopic, produceLines } from '../../spouts/kafka/index.js';
import { REPO_ROOT, ensureInfra, infraSettings, testNames, waitFor } from '../support/index.js';

const brokers = [...infraSettings.kafka.brokers];
const names = testNames('kafka-hdfs-local');
const PARTITIONS = 3;

let admin: Admin;
let cwd: string;
const children: ChildProcess[] = [];

before(async () => {
  await ensureInfra();
  admin = new Kafka({ brokers, clientId: 'squall-test-admin', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  cwd = await mkdtemp(join(tmpdir(), 'squall-kafka-hdfs-local-'));
});

after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  if (cwd !== undefined) await rm(cwd, { recursive: true, force: true });
  await admin?.deleteTopics({ topics: [names.topic] }).catch(() => {});
  await admin?.deleteGroups([names.groupId]).catch(() => {});
  await admin?.disconnect();
});

/** Runs the topology in `cwd` until the group has committed `end`, then interrupts it; resolves with what it printed. */
async function runUntilCommitted(end: Map<number, number>): Promise<string> {
  const args = ['local', join(REPO_ROOT, 'topologies/kafka-to-hdfs.ts'), '--no-typecheck', '-c', `brokers=${brokers.join(',')}`, '-c', `topics=${names.topic}`, '-c', `groupId=${names.groupId}`, '-c', 'rotationMaxAgeMs=2000'];
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/nimbus.mjs'), ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d));
  child.stderr.on('data', (d: Buffer) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const crashed = exited.then((code) => {
    throw new Error(`nimbus local exited (code ${code}) before committing everything:\n${output}`);
  });
  await Promise.race([
    crashed,
    waitFor(
      async () => {
        const [group] = await admin.fetchOffsets({ groupId: names.groupId, topics: [names.topic] });
        return group!.partitions.every((p) => Number(p.offset) === end.get(p.partition));
      },
      { timeoutMs: 60_000, intervalMs: 200, message: 'the group to commit every end offset' },
    ),
  ]);
  crashed.catch(() => {});
  child.kill('SIGINT');
  assert.equal(await exited, 0, output);
  return output;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

interface Row {
  hostname: string;
  sequence: number;
  dt: string;
  ip: string;
  x_forwarded_for: string;
}

async function decode(path: string): Promise<Row[]> {
  const rows: Row[] = [];
  await new Promise<void>((resolve, reject) => {
    avro.createFileDecoder(path, { codecs: avroDecoderCodecs() as never }).on('data', (r: Row) => rows.push(r)).on('end', resolve).on('error', reject);
  });
  return rows;
}

const hourDirOf = (dt: string) => {
  const d = new Date(dt);
  const p = (n: number) => String(n).padStart(2, '0');
  return `year=${d.getUTCFullYear()}/month=${p(d.getUTCMonth() + 1)}/day=${p(d.getUTCDate())}/hour=${p(d.getUTCHours())}`;
};

test('with no hdfs and no output, kafka-to-hdfs writes the HDFS layout under ./out/kafka-to-hdfs, exactly once across two runs', { timeout: 150_000 }, async () => {
  // One record every 2 s of event time from 10:58:31: odd seconds, so 10:59:59 and 11:59:59 are among them.
  const generator = new WebrequestGenerator({ seed: 5, hosts: 4, malformedShare: 0, incompleteShare: 0, recordsPerSecond: 0.5, startMs: Date.UTC(2026, 10, 22, 10, 58, 31) });
  const first = Array.from({ length: 3000 }, () => generator.next().record!);
  const second = Array.from({ length: 600 }, () => generator.next().record!);
  await ensureTopic(brokers, names.topic, { partitions: PARTITIONS });
  await produceLines(brokers, names.topic, [...first.map((r, i) => ({ value: JSON.stringify(r), partition: i % PARTITIONS })), { value: '{"not json', partition: 1 }], { batchSize: 500 });
  const end1 = new Map((await admin.fetchTopicOffsets(names.topic)).map((p) => [p.partition, Number(p.high)]));
  const out1 = await runUntilCommitted(end1);
  assert.match(out1, /kafka\s+spout\s+3,001\s+-\s+3,001\s+0/, 'the first run emitted every record once');

  await produceLines(brokers, names.topic, second.map((r, i) => ({ value: JSON.stringify(r), partition: i % PARTITIONS })), { batchSize: 500 });
  const end2 = new Map((await admin.fetchTopicOffsets(names.topic)).map((p) => [p.partition, Number(p.high)]));
  const out2 = await runUntilCommitted(end2);
  assert.match(out2, /kafka\s+spout\s+600\s+-\s+600\s+0/, 'the second run read only the new records');

  const root = join(cwd, 'out/kafka-to-hdfs');
  const files = filesUnder(root).map((f) => relative(root, f)).sort();
  const data = files.filter((f) => !f.startsWith('_'));
  // Each file's name ends with the lease its partition was written under (docs/exactly-once.md).
  const layout = new RegExp(`^year=\\d{4}/month=\\d{2}/day=\\d{2}/hour=\\d{2}/(part-${names.topic}-[0-${PARTITIONS - 1}]-\\d{20}-\\d{20}\\.l\\d{10}\\.avro|_SUCCESS)$`);
  assert.deepEqual(data.filter((f) => !layout.test(f)), [], 'every data file follows year=/month=/day=/hour=/part-<topic>-<partition>-<first>-<last>.l<lease>.avro');
  assert.deepEqual(files.filter((f) => f.includes('_tmp.')), [], 'no temporary file is left');
  assert.deepEqual(
    [...new Set(data.map((f) => f.slice(0, f.lastIndexOf('/'))))].sort(),
    ['year=2026/month=11/day=22/hour=10', 'year=2026/month=11/day=22/hour=11', 'year=2026/month=11/day=22/hour=12'],
  );
  assert.ok(files.includes('_hive/kafka_to_hdfs.ddl'), `the Hive DDL is written: ${files.filter((f) => f.startsWith('_')).join(', ')}`);

  const seen = new Set<string>();
  let boundary = 0;
  for (const f of data.filter((d) => d.endsWith('.avro'))) {
    for (const r of await decode(join(root, f))) {
      const key = `${r.hostname}#${r.sequence}`;
      assert.ok(!seen.has(key), `${key} appears twice`);
      assert.deepEqual([r.ip, r.x_forwarded_for], ['-', '-'], `${key}: client IPs are masked`);
      seen.add(key);
      assert.equal(hourDirOf(r.dt), f.slice(0, f.lastIndexOf('/')), `${key} (dt ${r.dt}) is in ${f}`);
      if (r.dt.endsWith(':59:59Z')) boundary++;
    }
  }
  assert.deepEqual([...seen].sort(), [...first, ...second].map((r) => `${r.hostname}#${r.sequence}`).sort());
  assert.equal(boundary, 2, 'the records at 10:59:59 and 11:59:59 sit in hours 10 and 11');

  // No produced IP is anywhere in the output, in any text form the records had.
  const ips = new Set([...first, ...second].flatMap((r) => [r.ip, ...r.x_forwarded_for.split(/,\s*/)]).filter((ip) => ip !== '-'));
  assert.ok(ips.size > 1000, `the records carried client IPs (${ips.size})`);
  for (const f of files) {
    // Avro blocks are compressed: scan the decoded records; scan every other file as it is.
    const text = f.endsWith('.avro') ? JSON.stringify(await decode(join(root, f))) : await readFile(join(root, f), 'utf8');
    for (const ip of ips) assert.ok(!text.includes(ip), `${ip} is in ${f}`);
  }

  const errorFiles = files.filter((f) => f.startsWith('_errors/'));
  const errorLines = (await Promise.all(errorFiles.map((f) => readFile(join(root, f), 'utf8')))).join('').trim().split('\n');
  assert.equal(errorLines.length, 1, `one error line in ${errorFiles.join(', ')}`);
  assert.deepEqual(JSON.parse(errorLines[0]!), {
    origin: `${names.topic}/1@${end1.get(1)! - 1}`,
    reason: `invalid JSON (Unterminated string in JSON at position 10) in 10 bytes starting "{\\"not json"`,
    from: 'hdfs',
    value: '{"not json',
  });
});
