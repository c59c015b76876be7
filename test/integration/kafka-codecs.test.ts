/**
 * Issue #19: the Kafka spout reads what real producers write, with every codec. Varnishkafka-format
 * lines from the project's generator, keyed by hostname, go into 6-partition topics from two real
 * producers, librdkafka (kcat) and Kafka's own Java producer, once per codec (none, gzip, snappy,
 * lz4, zstd). One run of the webrequest topology (`-c input=kafka`) reads the ten topics; for each
 * topic, every (hostname, sequence) produced is in the refined output or the errors output exactly
 * once.
 *
 * @squall-test slow (started first, so the two lanes of `npm test` end together)
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { WebrequestGenerator } from '../../spouts/generator/index.js';
import { ensureTopic } from '../../spouts/kafka/index.js';
import { REPO_ROOT, ensureInfra, ensureKafkaProducers, infraSettings, produceWith, randomSuffix, waitFor, type ProducerCodec, type RealProducer } from '../support/index.js';

const brokers = [...infraSettings.kafka.brokers];
const CODECS: readonly ProducerCodec[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
const PRODUCERS: readonly RealProducer[] = ['librdkafka', 'java'];
const PARTITIONS = 6;
const LINES = 300;
const suffix = randomSuffix();
const groupId = `kafka-codecs-${suffix}`;
const topics = PRODUCERS.flatMap((producer) => CODECS.map((codec) => ({ producer, codec, topic: `codecs-${producer}-${codec}-${suffix}` })));

let admin: Admin;
let out: string;
const children: ChildProcess[] = [];

before(async () => {
  await Promise.all([ensureInfra(), ensureKafkaProducers()]);
  admin = new Kafka({ brokers, clientId: 'squall-test-admin', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  out = await mkdtemp(join(tmpdir(), 'squall-kafka-codecs-'));
});

after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  if (out !== undefined) await rm(out, { recursive: true, force: true });
  await admin?.deleteTopics({ topics: topics.map((t) => t.topic) }).catch(() => {});
  await admin?.deleteGroups([groupId]).catch(() => {});
  await admin?.disconnect();
});

/**
 * `hostname#sequence` of each line of one topic, by the line's text (distinct lines). A garbage
 * line made from no record gets `garbage#<n>`, and the key `garbage`.
 */
function generate(seed: number): Map<string, string> {
  const generator = new WebrequestGenerator({ seed, hosts: 8, malformedShare: 0.03 });
  const ids = new Map<string, string>();
  for (let n = 0; ids.size < LINES; n++) {
    const { line, record } = generator.next();
    if (!ids.has(line)) ids.set(line, record === undefined ? `garbage#${n}` : `${record.hostname}#${record.sequence}`);
  }
  return ids;
}

/** Every record of `topic` as `partition@offset` → value, read back with kcat (librdkafka), not with the code under test. */
async function readBack(topic: string): Promise<Map<string, string>> {
  const text = await new Promise<string>((resolve, reject) => {
    const child = spawn('kcat', ['-C', '-b', brokers.join(','), '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%p@%o\t%s\n'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`kcat reading ${topic} exited ${code}: ${stderr}`))));
  });
  return new Map(text.split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('\t')), l.slice(l.indexOf('\t') + 1)]));
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

async function ndjsonLines(files: readonly string[]): Promise<Record<string, unknown>[]> {
  const texts = await Promise.all(files.map((f) => readFile(f, 'utf8')));
  return texts.flatMap((t) => t.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>));
}

/** Runs the webrequest topology over every topic until the group has committed each end offset, then interrupts it. */
async function runUntilCommitted(end: ReadonlyMap<string, number>): Promise<string> {
  const args = [
    join(REPO_ROOT, 'bin/nimbus.mjs'),
    'local',
    join(REPO_ROOT, 'topologies/webrequest.ts'),
    '--no-typecheck',
    '-c', 'input=kafka',
    // Last month's generated records, replayed: bounds relative to the stream, not the wall clock.
    '-c', 'eventTimeReference=stream',
    '-c', `brokers=${brokers.join(',')}`,
    '-c', `topics=${topics.map((t) => t.topic).join(',')}`,
    '-c', `groupId=${groupId}`,
    '-c', `output=${out}`,
    '-c', 'format=ndjson',
    '-c', 'threads=0',
  ];
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d));
  child.stderr.on('data', (d: Buffer) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const early = exited.then((code) => {
    throw new Error(`nimbus local exited (code ${code}) before committing everything:\n${output}`);
  });
  await Promise.race([
    early,
    waitFor(
      async () => {
        const groups = await admin.fetchOffsets({ groupId, topics: topics.map((t) => t.topic) });
        // An empty partition has nothing to commit (-1).
        return groups.every((g) => g.partitions.every((p) => Math.max(0, Number(p.offset)) === end.get(`${g.topic}/${p.partition}`)));
      },
      { timeoutMs: 120_000, intervalMs: 250, message: 'the group to commit the end offset of every partition' },
    ),
  ]);
  early.catch(() => {});
  child.kill('SIGINT');
  assert.equal(await exited, 0, output);
  return output;
}

test('every (hostname, sequence) that librdkafka and the Java producer write with none, gzip, snappy, lz4 or zstd is refined or in errors exactly once', { timeout: 300_000 }, async () => {
  const produced = new Map(topics.map(({ topic }, i) => [topic, generate(100 + i)]));
  for (const { topic } of topics) await ensureTopic(brokers, topic, { partitions: PARTITIONS });
  await Promise.all(
    topics.map(({ producer, codec, topic }) =>
      produceWith(producer, brokers, topic, codec, [...produced.get(topic)!.keys()].map((line) => ({ key: produced.get(topic)!.get(line)!.split('#')[0]!, value: line }))),
    ),
  );

  const end = new Map<string, number>();
  const byOffset = new Map<string, string>();
  for (const { topic } of topics) {
    const marks = await admin.fetchTopicOffsets(topic);
    assert.equal(marks.reduce((n, p) => n + Number(p.high), 0), LINES, `${topic} holds every line once`);
    assert.ok(marks.filter((p) => Number(p.high) > 0).length >= 4, `${topic}: the hostname keys spread over the partitions`);
    for (const p of marks) end.set(`${topic}/${p.partition}`, Number(p.high));
    for (const [at, value] of await readBack(topic)) byOffset.set(`${topic}/${at}`, produced.get(topic)!.get(value)!);
  }

  const output = await runUntilCommitted(end);
  assert.doesNotMatch(output, /CONSUMER_CRASH|cannot go on/, 'the consumer never crashed');

  const refinedFiles = filesUnder(join(out, 'webrequest')).filter((f) => f.endsWith('.ndjson'));
  const errors = await ndjsonLines(filesUnder(join(out, 'errors')).filter((f) => f.endsWith('.ndjson')));
  let refinedTotal = 0;
  let errorTotal = 0;
  for (const { producer, codec, topic } of topics) {
    const refined = (await ndjsonLines(refinedFiles.filter((f) => basename(f).startsWith(`part-${topic}-`)))).map((r) => `${String(r.hostname)}#${String(r.sequence)}`);
    const failed = errors
      .filter((e) => String(e.origin).startsWith(`${topic}/`))
      .map((e) => byOffset.get(String(e.origin)) ?? `unknown origin ${String(e.origin)}`);
    const got = [...refined, ...failed].sort();
    assert.deepEqual(got, [...produced.get(topic)!.values()].sort(), `${producer} ${codec}: each (hostname, sequence) once, refined (${refined.length}) or in errors (${failed.length})`);
    assert.ok(refined.length > 0 && failed.length > 0, `${producer} ${codec}: both outputs are used`);
    refinedTotal += refined.length;
    errorTotal += failed.length;
  }
  assert.equal(refinedTotal + errorTotal, topics.length * LINES);
});
