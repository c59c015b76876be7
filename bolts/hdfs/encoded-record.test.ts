import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import avro from 'avsc';
import { AvroContainerFormat } from './avro-container-format.js';
import { decodeTupleBatch, encodeTupleBatch } from '../../core/index.js';
import { EncodedRecord, RecordBytesEncoder, badRange, encodingKey } from './encoded-record.js';
import { HdfsSinkBolt } from './hdfs-sink-bolt.js';
import { LocalFileSystem } from './local-file-system.js';
import { NdjsonFormat } from './ndjson-format.js';
import type { HdfsSinkOptions } from './sink-options.js';
import { RecordingCollector, TEST_SCHEMA, at, listTree, readAvro, sinkContext, sourceTuple } from './sink-test-kit.js';

const event = (id: number, dt = at(10)) => ({ id, dt, text: `event ${id} — ünïcode`, tags: { k: String(id) } });
const avroFormat = () => new AvroContainerFormat({ schema: TEST_SCHEMA as never, blockBytes: 64 });
const avroType = avro.Type.forSchema(TEST_SCHEMA as never);

/** Encodes records as a batch, the way a bolt upstream of the sink does, and wraps each range. */
function encodeAll(encoder: RecordBytesEncoder, records: { dt: string }[]): EncodedRecord[] {
  const ranges: [number, number][] = [];
  for (const r of records) {
    const start = encoder.end;
    encoder.add(r);
    ranges.push([start, encoder.end]);
  }
  const data = encoder.take();
  return ranges.map(([start, end], i) => new EncodedRecord(encoder.key, data, start, end, Date.parse(records[i]!.dt)));
}

describe('RecordBytesEncoder', () => {
  it('writes NDJSON lines, each with its newline, and starts again after take', () => {
    const encoder = new RecordBytesEncoder(new NdjsonFormat().encoding);
    encoder.add(event(1));
    encoder.add(event(2));
    assert.equal(encoder.take().toString('utf8'), `${JSON.stringify(event(1))}\n${JSON.stringify(event(2))}\n`);
    assert.equal(encoder.end, 0);
    encoder.add({ a: 1 });
    assert.equal(encoder.take().toString('utf8'), '{"a":1}\n');
  });

  it('writes Avro datums of the schema, grows past its buffer, and adds nothing for a record that does not fit', () => {
    const encoder = new RecordBytesEncoder(avroFormat().encoding);
    const big = { ...event(1), text: 'x'.repeat(300 * 1024) };
    const records = [event(0), big, event(2)];
    const encoded = encodeAll(encoder, records);
    assert.deepEqual(encoded.map((e) => avroType.fromBuffer(e.data.subarray(e.start, e.end))), records.map((r) => avroType.clone(r)));
    encoder.add(event(3));
    const before = encoder.end;
    assert.throws(() => encoder.add({ id: 'not a long', dt: at(10), text: '', tags: {} }));
    assert.equal(encoder.end, before, 'nothing of the bad record was kept');
    assert.deepEqual(avroType.fromBuffer(encoder.take()), avroType.clone(event(3)));
  });

  it('EncodedRecord reads as JSON in error output, Avro decoded', () => {
    const [nd] = encodeAll(new RecordBytesEncoder(new NdjsonFormat().encoding), [event(7)]);
    const [av] = encodeAll(new RecordBytesEncoder(avroFormat().encoding), [event(7)]);
    assert.equal(String(nd), JSON.stringify(event(7)));
    assert.deepEqual(JSON.parse(String(av)), event(7));
  });
});

describe('HdfsSinkBolt: encoded records', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'squall-sink-encoded-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function startSink(options: Partial<HdfsSinkOptions>): Promise<{ bolt: HdfsSinkBolt; collector: RecordingCollector }> {
    const bolt = new HdfsSinkBolt({ fileSystem: new LocalFileSystem(), root, availability: false, hive: false, timerIntervalMs: 3_600_000, ...options });
    const collector = new RecordingCollector();
    await bolt.prepare(sinkContext(), collector);
    return { bolt, collector };
  }
  const committed = async () => (await listTree(root)).filter((p) => !p.split('/').pop()!.startsWith('_'));

  for (const make of [() => new NdjsonFormat(), avroFormat]) {
    const name = make().name;
    it(`${name}: places encoded records by their event time and writes their bytes, mixed with record objects`, async () => {
      const format = make();
      const { bolt, collector } = await startSink({ format });
      const records = [event(0, at(10, 1)), event(1, at(11, 2)), event(2, at(10, 3)), event(3, at(10, 4))];
      const encoded = encodeAll(new RecordBytesEncoder(format.encoding!), records);
      for (let i = 0; i < records.length; i++) await bolt.execute(sourceTuple(i === 2 ? records[i] : encoded[i], 'events', 0, i));
      await bolt.flush();
      assert.deepEqual(collector.ackedOffsets(), [0, 1, 2, 3]);
      assert.deepEqual(collector.onStream('errors'), []);
      const files = await committed();
      assert.deepEqual(files.map((f) => f.split('/').slice(0, 4).join('/')), ['year=2024/month=01/day=15/hour=10', 'year=2024/month=01/day=15/hour=11']);
      const read = async (f: string) =>
        name === 'ndjson' ? (await readFile(join(root, f), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as unknown) : (await readAvro(join(root, f))).records;
      assert.deepEqual(JSON.parse(JSON.stringify(await read(files[0]!))), [records[0], records[2], records[3]]);
      assert.deepEqual(JSON.parse(JSON.stringify(await read(files[1]!))), [records[1]]);
      await bolt.cleanup();
    });
  }

  it('an encoded record of another format, or without an event time, goes to errors with the reason, and is acked', async () => {
    const { bolt, collector } = await startSink({ format: avroFormat() });
    const [ndjson] = encodeAll(new RecordBytesEncoder(new NdjsonFormat().encoding), [event(0)]);
    const other = new RecordBytesEncoder({ kind: 'avro', schemaJson: JSON.stringify({ ...TEST_SCHEMA, name: 'Other' }), codec: 'null', deflateLevel: 6, blockBytes: 64 });
    const [otherSchema] = encodeAll(other, [event(1)]);
    const [timed] = encodeAll(new RecordBytesEncoder(avroFormat().encoding), [event(2)]);
    const timeless = new EncodedRecord(timed!.encoding, timed!.data, timed!.start, timed!.end, undefined);
    await bolt.execute(sourceTuple(ndjson, 'events', 0, 0));
    await bolt.execute(sourceTuple(otherSchema, 'events', 0, 1));
    await bolt.execute(sourceTuple(timeless, 'events', 0, 2));
    await bolt.flush();
    const errors = collector.onStream('errors');
    assert.deepEqual(errors.map((e) => e[2]), ['events/0@0', 'events/0@1', 'events/0@2']);
    assert.match(String(errors[0]![1]), /encoded as ndjson, and this sink writes avro\/snappy/);
    assert.match(String(errors[1]![1]), /encoded as Avro of another schema/);
    assert.match(String(errors[2]![1]), /event time field 'dt' is missing/);
    assert.equal(encodingKey(new NdjsonFormat().encoding), 'ndjson');
    assert.deepEqual(collector.ackedOffsets(), [0, 1, 2]);
    assert.deepEqual(await committed(), []);
    await bolt.cleanup();
  });

  for (const make of [() => new NdjsonFormat(), avroFormat]) {
    const name = make().name;
    it(`${name}: a byte range that is empty, reversed or outside its buffer (or a line without its newline) goes to errors, and the file holds only good records`, async () => {
      const format = make();
      const { bolt, collector } = await startSink({ format });
      const [good, other] = encodeAll(new RecordBytesEncoder(format.encoding!), [event(0), event(1)]);
      const time = good!.eventTime;
      const bad = [
        new EncodedRecord(good!.encoding, good!.data, good!.start, good!.start, time),
        new EncodedRecord(good!.encoding, good!.data, good!.end, good!.start, time),
        new EncodedRecord(good!.encoding, good!.data, 0, good!.data.length + 100, time),
        new EncodedRecord(good!.encoding, good!.data, -1, good!.end, time),
        ...(name === 'ndjson' ? [new EncodedRecord(good!.encoding, good!.data, good!.start, good!.end - 1, time)] : []),
      ];
      await bolt.execute(sourceTuple(good, 'events', 0, 0));
      for (let i = 0; i < bad.length; i++) await bolt.execute(sourceTuple(bad[i], 'events', 0, 1 + i));
      await bolt.execute(sourceTuple(other, 'events', 0, 1 + bad.length));
      await bolt.flush();
      const errors = collector.onStream('errors');
      assert.deepEqual(errors.map((e) => e[2]), bad.map((_, i) => `events/0@${1 + i}`));
      assert.ok(errors.slice(0, 4).every((e) => /are not a non-empty range of its \d+-byte buffer/.test(String(e[1]))), JSON.stringify(errors.map((e) => e[1])));
      if (name === 'ndjson') assert.match(String(errors[4]![1]), /does not end with a newline/);
      assert.deepEqual(collector.ackedOffsets(), Array.from({ length: bad.length + 2 }, (_, i) => i));
      const [file] = await committed();
      const records = name === 'ndjson' ? (await readFile(join(root, file!), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as unknown) : (await readAvro(join(root, file!))).records;
      assert.deepEqual(JSON.parse(JSON.stringify(records)), [event(0), event(1)], 'only the good records, whole');
      await bolt.cleanup();
    });
  }
});

describe('EncodedRecord between workers', () => {
  it('travels as itself, with only its own bytes of the batch buffer it shares', () => {
    const batch = Buffer.from('{"a":1}\n{"b":2}\n'.repeat(500));
    const record = new EncodedRecord('ndjson', batch, 8, 16, 1_700_000_000_000);
    const frame = encodeTupleBatch([{ dest: 2, source: 1, component: 'refine', stream: 'default', values: [record, 'topic', 0, 7], roots: [] }]);
    assert.ok(frame.length < 200, `the frame holds the record's 8 bytes, not the batch's ${batch.length} (${frame.length} bytes)`);
    const [tuple] = decodeTupleBatch(frame);
    const back = tuple!.values[0] as EncodedRecord;
    assert.ok(back instanceof EncodedRecord);
    assert.equal(back.encoding, 'ndjson');
    assert.equal(back.data.subarray(back.start, back.end).toString(), '{"b":2}\n');
    assert.equal(back.eventTime, 1_700_000_000_000);
    assert.equal(badRange(back), undefined);
  });
});
