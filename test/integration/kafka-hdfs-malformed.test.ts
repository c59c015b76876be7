/**
 * Issue #3: malformed values among good ones, through topologies/kafka-to-hdfs.ts on the real
 * Kafka and HDFS (in process). Each bad record lands in the error output (`<output>/_errors`)
 * with its origin `topic/partition@offset`, its reason and its exact bytes; every good record
 * around it is written to HDFS exactly once. The spout passes values through as bytes, so the
 * sink's encoder finds every bad value (the Kafka spout's own decoding has its own tests).
 *
 * JSON input: bad JSON, an empty message, a JSON value that is not an object, a record missing a
 * field of the Avro schema, and a record whose `dt` is unparseable. Avro input (binary Avro of
 * the varnishkafka input schema): a truncated record, an empty message, a null value, and a
 * record whose `dt` is unparseable.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import avro from 'avsc';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { OffsetRangeFileNameFormat, WebHdfsFileSystem, avroDecoderCodecs } from '../../bolts/hdfs/index.js';
import { webrequestInputAvroType } from '../../bolts/webrequest/schema-avro.js';
import { TopologyRuntime } from '../../core/index.js';
import { type SyntheticWebrequest, WebrequestGenerator } from '../../spouts/generator/index.js';
import { type ProducedRecord, ensureTopic, produceLines } from '../../spouts/kafka/index.js';
import kafkaToHdfs, { redactBytes } from '../../topologies/kafka-to-hdfs.js';
import { ensureInfra, infraSettings, testNames, waitFor } from '../support/index.js';

const brokers = [...infraSettings.kafka.brokers];
const hdfsUrl = `http://${infraSettings.hdfs.host}:${infraSettings.hdfs.webhdfsPort}`;
const fileNames = new OffsetRangeFileNameFormat();
const GOOD_PER_PARTITION = 1000;

let admin: Admin;
let fs: WebHdfsFileSystem;
const cleanup: (() => Promise<unknown>)[] = [];

before(async () => {
  await ensureInfra();
  admin = new Kafka({ brokers, clientId: 'squall-test-admin', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  fs = new WebHdfsFileSystem({ url: hdfsUrl });
});

after(async () => {
  for (const c of cleanup) await c().catch(() => {});
  await fs?.close();
  await admin?.disconnect();
});

/** A bad value, where it goes, and what the error output must say about it. */
interface Malformed {
  readonly partition: number;
  /** Its position among the partition's records: its offset. */
  readonly at: number;
  readonly value: Buffer | null;
  readonly reason: RegExp;
}

interface ErrorLine {
  origin: string;
  reason: string;
  from: string;
  value?: unknown;
  valueBase64?: string;
}

/** Good records for two partitions, dt from 10:45 over more than one hour. */
function goodRecords(): SyntheticWebrequest[] {
  const generator = new WebrequestGenerator({ seed: 9, hosts: 4, malformedShare: 0, incompleteShare: 0, recordsPerSecond: 1, startMs: Date.UTC(2026, 10, 22, 10, 45) });
  return Array.from({ length: 2 * GOOD_PER_PARTITION }, () => generator.next().record!);
}

async function readErrors(root: string): Promise<ErrorLine[]> {
  const lines: ErrorLine[] = [];
  let entries;
  try {
    entries = await fs.list(`${root}/_errors`);
  } catch {
    return [];
  }
  for (const e of entries) {
    if (e.name.startsWith('_')) continue;
    for (const line of (await fs.read(e.path)).toString('utf8').split('\n')) if (line !== '') lines.push(JSON.parse(line) as ErrorLine);
  }
  return lines;
}

/** (hostname, sequence) of every record in committed files, and the offsets their names claim. */
async function readOutput(root: string): Promise<{ records: string[]; offsets: Map<number, number[]> }> {
  const records: string[] = [];
  const offsets = new Map<number, number[]>();
  const visit = async (dir: string): Promise<void> => {
    for (const e of await fs.list(dir)) {
      if (e.type === 'directory') {
        if (!e.name.startsWith('_')) await visit(e.path);
        continue;
      }
      const source = fileNames.parseCommitted(e.name);
      if (source === undefined) continue;
      records.push(...(await decodeFile(e.path)));
      const list = offsets.get(source.partition) ?? [];
      const manifest = `${dir}/${fileNames.manifest(e.name)}`;
      const ranges = (await fs.exists(manifest)) ? (JSON.parse((await fs.read(manifest)).toString('utf8')) as { ranges: [number, number][] }).ranges : [[source.firstOffset, source.lastOffset]];
      for (const [a, b] of ranges) for (let o = a!; o <= b!; o++) list.push(o);
      offsets.set(source.partition, list);
    }
  };
  await visit(root);
  return { records, offsets };
}

async function decodeFile(path: string): Promise<string[]> {
  const bytes = await fs.read(path);
  const out: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const decoder = new avro.streams.BlockDecoder({ codecs: avroDecoderCodecs() as never });
    decoder.on('data', (r: { hostname: string; sequence: number }) => out.push(`${r.hostname}#${r.sequence}`)).on('end', resolve).on('error', reject);
    decoder.end(bytes);
  });
  return out;
}

/**
 * Produces good records (two partitions) with `malformed` spliced in at their offsets, runs the
 * topology until the group has committed every offset, and checks both outputs.
 */
async function runScenario(label: string, valueFormat: 'json' | 'avro', encode: (r: object) => Buffer, malformed: readonly Malformed[]): Promise<void> {
  const names = testNames(label);
  const root = names.hdfsPath;
  cleanup.push(() => fs.delete(root, { recursive: true }), () => admin.deleteTopics({ topics: [names.topic] }), () => admin.deleteGroups([names.groupId]));
  const good = goodRecords();
  const partitions: ProducedRecord[][] = [[], []];
  for (const [i, r] of good.entries()) partitions[i % 2]!.push({ value: encode(r), partition: i % 2 });
  for (const m of [...malformed].sort((a, b) => a.at - b.at)) partitions[m.partition]!.splice(m.at, 0, { value: m.value, partition: m.partition });
  await ensureTopic(brokers, names.topic, { partitions: 2 });
  // One batch in flight: each partition's records keep their order, so their offsets are known.
  await produceLines(brokers, names.topic, [...partitions[0]!, ...partitions[1]!], { batchSize: 500 });
  const end = new Map((await admin.fetchTopicOffsets(names.topic)).map((p) => [p.partition, Number(p.high)]));
  assert.deepEqual(end, new Map([[0, partitions[0]!.length], [1, partitions[1]!.length]]));

  const config = { brokers: brokers.join(','), topics: names.topic, groupId: names.groupId, hdfs: hdfsUrl, output: root, valueFormat, rotationMaxAgeMs: 2000 };
  const runtime = new TopologyRuntime({ topology: kafkaToHdfs.make(config), config });
  cleanup.push(() => runtime.stop({ timeoutMs: 2000 }));
  await runtime.start();
  // Offsets are committed only once their record is in a committed file or in the error output.
  await waitFor(
    async () => {
      const [group] = await admin.fetchOffsets({ groupId: names.groupId, topics: [names.topic] });
      return group!.partitions.every((p) => Number(p.offset) === end.get(p.partition));
    },
    { timeoutMs: 60_000, intervalMs: 200, message: 'the group to commit every end offset' },
  );
  const report = await runtime.stop();
  assert.equal(report.forced, false);

  const errors = await readErrors(root);
  const expected = malformed.map((m) => `${names.topic}/${m.partition}@${m.at}`).sort();
  assert.deepEqual(errors.map((e) => e.origin).sort(), expected, 'each bad record is in the error output once, with its origin');
  for (const m of malformed) {
    const line = errors.find((e) => e.origin === `${names.topic}/${m.partition}@${m.at}`)!;
    assert.equal(line.from, 'hdfs', `${line.origin} was rejected by the sink`);
    assert.match(line.reason, m.reason, `${line.origin}: reason`);
    if (m.value === null) assert.equal(line.value, null);
    else {
      const bytes = line.valueBase64 !== undefined ? Buffer.from(line.valueBase64, 'base64') : Buffer.from(String(line.value), 'utf8');
      assert.deepEqual(bytes, redactBytes(m.value), `${line.origin}: the bytes, client IPs redacted`);
    }
  }

  const output = await readOutput(root);
  const wanted = good.map((r) => `${r.hostname}#${r.sequence}`).sort();
  assert.equal(output.records.length, good.length, 'every good record is written once');
  assert.deepEqual([...output.records].sort(), wanted);
  for (const p of [0, 1]) {
    const bad = new Set(malformed.filter((m) => m.partition === p).map((m) => m.at));
    const goodOffsets = Array.from({ length: end.get(p)! }, (_, o) => o).filter((o) => !bad.has(o));
    assert.deepEqual([...(output.offsets.get(p) ?? [])].sort((a, b) => a - b), goodOffsets, `partition ${p}: committed files hold exactly the good offsets`);
  }
}

describe('kafka-to-hdfs with malformed values among good ones', () => {
  it('JSON input: bad JSON, empty, not an object, not fitting the schema, unparseable dt', { timeout: 120_000 }, async () => {
    const sample = goodRecords()[0]!;
    const badDt = { ...sample, sequence: 999_001, dt: 'yesterday' };
    const missing: Partial<SyntheticWebrequest> = { ...sample, sequence: 999_002 };
    delete missing.accept;
    const text = (s: string) => Buffer.from(s, 'utf8');
    await runScenario('kafka-hdfs-malformed-json', 'json', (r) => Buffer.from(JSON.stringify(r)), [
      { partition: 0, at: 0, value: text('{"hostname":"cp3050.esams.wmnet","sequence":'), reason: /^invalid JSON/ },
      { partition: 0, at: 400, value: Buffer.alloc(0), reason: /^empty message/ },
      { partition: 0, at: 401, value: text('"just a string"'), reason: /^field 'value' is string: not a record object$/ },
      { partition: 1, at: 250, value: text(JSON.stringify(badDt)), reason: /event time field 'dt' is "yesterday"/ },
      { partition: 1, at: 1001, value: text(JSON.stringify(missing)), reason: /^record does not fit Avro schema squall\.webrequest\.WebrequestInput: invalid fields: accept=undefined/ },
    ]);
  });

  it('Avro input: truncated, empty, null, unparseable dt', { timeout: 120_000 }, async () => {
    const sample = goodRecords()[1]!;
    const encode = (r: object) => webrequestInputAvroType.toBuffer(r);
    const badDt = { ...sample, sequence: 999_003, dt: '2026-13-45T99:00:00Z' };
    await runScenario('kafka-hdfs-malformed-avro', 'avro', encode, [
      { partition: 0, at: 3, value: encode(sample).subarray(0, 30), reason: /^invalid Avro for squall\.webrequest\.WebrequestInput \(truncated buffer\) in 30 bytes$/ },
      { partition: 0, at: 700, value: Buffer.alloc(0), reason: /^empty message/ },
      { partition: 1, at: 0, value: null, reason: /no value \(null\)/ },
      { partition: 1, at: 600, value: encode(badDt), reason: /event time field 'dt' is "2026-13-45T99:00:00Z"/ },
    ]);
  });
});
