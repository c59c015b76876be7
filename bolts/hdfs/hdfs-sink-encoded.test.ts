import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import avro from 'avsc';
import { SquallError } from '../../core/index.js';
import { AvroContainerFormat } from './avro-container-format.js';
import { type BatchSpec, encodeBatch } from './batch-encoder.js';
import { HdfsErrorCodes } from './errors.js';
import { OffsetRangeFileNameFormat } from './file-name-format.js';
import { HdfsSinkBolt } from './hdfs-sink-bolt.js';
import { InProgressFile } from './in-progress-file.js';
import { hourPartition } from './partitioner.js';
import { LocalFileSystem } from './local-file-system.js';
import { NdjsonFormat } from './ndjson-format.js';
import type { HdfsSinkOptions } from './sink-options.js';
import { RecordingCollector, TEST_SCHEMA, at, decodeAvro, listTree, readAvro, sinkContext, sourceTuple } from './sink-test-kit.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'squall-sink-encoded-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const SCHEMA = TEST_SCHEMA as unknown as avro.Schema;
const event = (id: number, dt = at(10)) => ({ id, dt, text: `event ${id}`, tags: { k: String(id) } });
const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const avroFormat = () => new AvroContainerFormat({ schema: SCHEMA, codec: 'snappy', blockBytes: 200 });

async function startSink(options: Partial<HdfsSinkOptions> = {}): Promise<{ bolt: HdfsSinkBolt; collector: RecordingCollector }> {
  const bolt = new HdfsSinkBolt({ fileSystem: new LocalFileSystem(), root, availability: false, hive: false, timerIntervalMs: 3_600_000, input: 'json', format: avroFormat(), batchRecords: 4, ...options });
  const collector = new RecordingCollector();
  await bolt.prepare(sinkContext(), collector);
  return { bolt, collector };
}

/** Committed Avro files by partition directory, their records in file order. */
async function committedAvro(): Promise<Map<string, unknown[]>> {
  const out = new Map<string, unknown[]>();
  for (const path of await listTree(root)) {
    if (!path.endsWith('.avro') || path.split('/').pop()!.startsWith('_')) continue;
    const dir = path.slice(0, path.lastIndexOf('/'));
    out.set(dir, [...(out.get(dir) ?? []), ...(await readAvro(join(root, path))).records]);
  }
  return out;
}

describe('encodeBatch', () => {
  const spec: BatchSpec = {
    input: { kind: 'json' },
    format: { kind: 'avro', schemaJson: JSON.stringify(TEST_SCHEMA), codec: 'null', deflateLevel: 6, blockBytes: 1 << 20 },
    timeField: 'dt',
    recordField: 'value',
  };
  const batch = (values: Buffer[]) => {
    const ends = new Uint32Array(values.length);
    let end = 0;
    values.forEach((v, i) => (ends[i] = end += v.length));
    return { data: Buffer.concat(values), ends };
  };

  it('groups records by hour and encodes each group, in order', async () => {
    const values = [json(event(1)), json(event(2, at(11))), json(event(3)), json(event(4, at(11, 59, 59, 999)))];
    const result = encodeBatch({ spec, ...batch(values) });
    assert.deepEqual(result.errors, []);
    assert.deepEqual(
      result.groups.map((g) => [g.partition.path, g.indices]),
      [
        ['year=2024/month=01/day=15/hour=10', [0, 2]],
        ['year=2024/month=01/day=15/hour=11', [1, 3]],
      ],
    );
    assert.equal(result.groups[1]!.maxEventTime, Date.parse(at(11, 59, 59, 999)));
    const type = avro.Type.forSchema(SCHEMA);
    const decoded = [];
    for (let tap = Buffer.from(result.groups[0]!.chunks[0]!), pos = 0; pos < tap.length; ) {
      const { value, offset } = type.decode(tap, pos);
      decoded.push(value);
      pos = offset;
    }
    assert.deepEqual(JSON.parse(JSON.stringify(decoded)), [event(1), event(3)]);
  });

  it('reports each value it cannot use with its index, kind and reason, and encodes the rest', () => {
    const values = [Buffer.from('{"id":'), Buffer.alloc(0), json('a string'), json({ ...event(4), dt: 'yesterday' }), json({ id: 5, dt: at(10) }), json(event(6))];
    const result = encodeBatch({ spec, ...batch(values) });
    assert.deepEqual(
      result.errors.map((e) => [e.index, e.kind]),
      [
        [0, 'bad_record'],
        [1, 'bad_record'],
        [2, 'bad_record'],
        [3, 'bad_event_time'],
        [4, 'bad_record'],
      ],
    );
    assert.match(result.errors[0]!.reason, /^invalid JSON .* in 6 bytes starting "\{\\"id\\":"$/);
    assert.match(result.errors[1]!.reason, /^empty message/);
    assert.equal(result.errors[2]!.reason, "field 'value' is string: not a record object");
    assert.match(result.errors[3]!.reason, /event time field 'dt' is "yesterday"/);
    assert.match(result.errors[4]!.reason, /^record does not fit Avro schema org\.squall\.test\.Event: invalid fields: text=undefined/);
    assert.deepEqual(result.groups.map((g) => g.indices), [[5]]);
  });

  it('returns no group for an hour whose only record does not fit the schema', () => {
    const result = encodeBatch({ spec, ...batch([json({ id: 5, dt: at(11) }), json(event(6))]) });
    assert.deepEqual(result.errors.map((e) => [e.index, e.kind]), [[0, 'bad_record']]);
    assert.deepEqual(result.groups.map((g) => [g.partition.path, g.indices]), [['year=2024/month=01/day=15/hour=10', [1]]]);
  });

  it('writes masked fields as "-", re-encoding every line when fields are masked', () => {
    const ndjson: BatchSpec = { ...spec, format: { kind: 'ndjson' }, maskFields: ['ip', 'x_forwarded_for'] };
    const withIp = Buffer.from('{"dt":"2024-01-15T10:00:00Z","ip":"203.0.113.7","x_forwarded_for":"198.51.100.1, 10.0.0.1","id":1}');
    const without = Buffer.from('{"dt":"2024-01-15T10:00:00Z",  "ip":"-","id":2}');
    const out = encodeBatch({ spec: ndjson, ...batch([withIp, without]) });
    assert.equal(
      Buffer.from(out.groups[0]!.chunks[0]!).toString(),
      `{"dt":"2024-01-15T10:00:00Z","ip":"-","x_forwarded_for":"-","id":1}\n{"dt":"2024-01-15T10:00:00Z","ip":"-","id":2}\n`,
    );
    // A duplicate key parses to its last value, but the bytes hold both: they are never copied.
    const duplicate = encodeBatch({ spec: ndjson, ...batch([Buffer.from('{"dt":"2024-01-15T10:00:00Z","ip":"10.1.2.3","ip":"-"}')]) });
    assert.equal(Buffer.from(duplicate.groups[0]!.chunks[0]!).toString(), '{"dt":"2024-01-15T10:00:00Z","ip":"-"}\n');
    const avroOut = encodeBatch({ spec: { ...spec, maskFields: ['text'] }, ...batch([json(event(1))]) });
    const type = avro.Type.forSchema(SCHEMA);
    assert.equal((type.fromBuffer(Buffer.from(avroOut.groups[0]!.chunks[0]!)) as { text: string }).text, '-');
  });

  it('re-encodes lines a line reader would split or that are not UTF-8, and reports a record it cannot encode', () => {
    const ndjson: BatchSpec = { ...spec, format: { kind: 'ndjson' } };
    const withCr = Buffer.from('{"dt":"2024-01-15T10:00:00Z",\r"id":1}');
    const notUtf8 = Buffer.concat([Buffer.from('{"dt":"2024-01-15T10:00:00Z","t":"'), Buffer.from([0xff]), Buffer.from('"}')]);
    const deep = Buffer.from(`{"dt":"2024-01-15T10:00:00Z","a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    const out = encodeBatch({ spec: { ...ndjson, maskFields: ['ip'] }, ...batch([deep]) });
    assert.deepEqual(out.errors.map((e) => [e.index, e.kind]), [[0, 'bad_record']]);
    assert.match(out.errors[0]!.reason, /^could not encode the record: /);
    const lines = Buffer.from(encodeBatch({ spec: ndjson, ...batch([withCr, notUtf8]) }).groups[0]!.chunks[0]!).toString();
    assert.equal(lines, `{"dt":"2024-01-15T10:00:00Z","id":1}\n{"dt":"2024-01-15T10:00:00Z","t":"\ufffd"}\n`);
  });

  it('passes one-line JSON through to NDJSON byte for byte, and decodes binary Avro input', () => {
    const ndjson: BatchSpec = { ...spec, format: { kind: 'ndjson' } };
    const text = Buffer.from('{"dt":"2024-01-15T10:00:00Z",  "id":1,"x":1.50}');
    const out = encodeBatch({ spec: ndjson, ...batch([text]) });
    assert.equal(Buffer.from(out.groups[0]!.chunks[0]!).toString(), `${text.toString()}\n`);

    const avroIn: BatchSpec = { ...ndjson, input: { kind: 'avro', schemaJson: JSON.stringify(TEST_SCHEMA) } };
    const type = avro.Type.forSchema(SCHEMA);
    const good = type.toBuffer(event(7));
    const fromAvro = encodeBatch({ spec: avroIn, ...batch([good, good.subarray(0, 5)]) });
    assert.deepEqual(JSON.parse(Buffer.from(fromAvro.groups[0]!.chunks[0]!).toString()), event(7));
    assert.match(fromAvro.errors[0]!.reason, /^invalid Avro for org\.squall\.test\.Event \(truncated buffer\) in 5 bytes$/);
  });
});

describe('InProgressFile', () => {
  it('fails every later write and the commit once a write failed', async () => {
    let creates = 0;
    const fs = new (class extends LocalFileSystem {
      override async createStream(path: string, options?: { overwrite?: boolean }) {
        if (creates++ === 0) throw new Error('no DataNode');
        return super.createStream(path, options);
      }
    })();
    const writer = new NdjsonFormat().open();
    const file = new InProgressFile('k', root, hourPartition(Date.parse(at(10))), 'events', 0, 0, writer, '.ndjson', Date.now(), 'hdfs-0', new OffsetRangeFileNameFormat());
    writer.write(event(0));
    file.offsets.add(0);
    await assert.rejects(file.writeChunk(fs), /no DataNode/);
    writer.write(event(1));
    file.offsets.add(1);
    await assert.rejects(file.commit(fs, new OffsetRangeFileNameFormat(), 'hdfs-0', new Set()), /no DataNode/, 'the first record is gone: the file must not commit');
    assert.deepEqual(await listTree(root), []);
  });
});

describe('HdfsSinkBolt: encoded input', () => {
  for (const threads of [0, 1]) {
    it(`decodes, places and encodes JSON bytes in batches (threads: ${threads}), and rejects bad values with their origin`, async () => {
      const { bolt, collector } = await startSink({ threads });
      const values = [json(event(0)), json(event(1, at(11))), Buffer.from('not json'), json(event(3)), json({ ...event(4), dt: '-' }), 'text is fine too'];
      values[5] = JSON.stringify(event(5, at(11)));
      for (const [offset, value] of values.entries()) await bolt.execute(sourceTuple(value, 'events', 2, offset));
      await bolt.flush();
      assert.deepEqual(
        collector.onStream('errors').map(([value, reason, origin]) => [String(value), String(reason).slice(0, 20), origin]),
        [
          ['not json', 'invalid JSON (Unexpe', 'events/2@2'],
          [JSON.stringify({ ...event(4), dt: '-' }), "event time field 'dt", 'events/2@4'],
        ],
      );
      assert.deepEqual(collector.ackedOffsets(), [0, 1, 2, 3, 4, 5]);
      const files = await committedAvro();
      assert.deepEqual(JSON.parse(JSON.stringify(files.get('year=2024/month=01/day=15/hour=10'))), [event(0), event(3)]);
      assert.deepEqual(JSON.parse(JSON.stringify(files.get('year=2024/month=01/day=15/hour=11'))), [event(1, at(11)), event(5, at(11))]);
      const names = (await listTree(root)).map((p) => p.split('/').pop());
      assert.deepEqual(names.sort(), ['part-events-2-00000000000000000000-00000000000000000003.avro', 'part-events-2-00000000000000000001-00000000000000000005.avro', '_offsets.part-events-2-00000000000000000000-00000000000000000003.avro.json', '_offsets.part-events-2-00000000000000000001-00000000000000000005.avro.json'].sort());
      await bolt.cleanup();
    });
  }

  it('writes many batches across blocks and files, in offset order, readable by avsc', async () => {
    const { bolt } = await startSink({ threads: 1, rotation: { maxRecords: 25 } });
    for (let o = 0; o < 103; o++) await bolt.execute(sourceTuple(json(event(o)), 'events', 0, o));
    await bolt.flush();
    const ids = (await committedAvro()).get('year=2024/month=01/day=15/hour=10')!.map((r) => (r as { id: number }).id);
    assert.deepEqual(ids, Array.from({ length: 103 }, (_, i) => i));
    await bolt.cleanup();
  });

  it('holds a replay of an offset still in a batch with that record, once', async () => {
    const { bolt, collector } = await startSink({ format: new NdjsonFormat(), batchRecords: 100 });
    await bolt.execute(sourceTuple(json(event(0)), 'events', 0, 0));
    await bolt.execute(sourceTuple(json(event(1)), 'events', 0, 1));
    await bolt.execute(sourceTuple(json(event(0)), 'events', 0, 0));
    await bolt.flush();
    assert.deepEqual(collector.ackedOffsets(), [0, 0, 1]);
    const [file] = (await listTree(root)).filter((p) => p.endsWith('.ndjson'));
    assert.equal(await readFile(join(root, file!), 'utf8'), `${JSON.stringify(event(0))}\n${JSON.stringify(event(1))}\n`);
    await bolt.cleanup();
  });

  it('sends values that are neither bytes nor text to the errors stream', async () => {
    const { bolt, collector } = await startSink();
    await bolt.execute(sourceTuple({ already: 'decoded' }, 'events', 0, 0));
    await bolt.execute(sourceTuple(null, 'events', 0, 1));
    assert.deepEqual(
      collector.onStream('errors').map(([, reason]) => reason),
      ["field 'record' is object: the sink takes encoded records (bytes or text) here", 'the record has no value (null): the sink takes encoded records (bytes or text) here'],
    );
    await bolt.cleanup();
  });

  it('refuses threads without encoded input, and encoded input with a format it cannot batch', async () => {
    const refuses = (options: Partial<HdfsSinkOptions>, message: RegExp) =>
      assert.rejects(startSink(options), (e: unknown) => e instanceof SquallError && e.code === HdfsErrorCodes.INVALID_OPTIONS && message.test(e.message));
    await refuses({ input: 'record', threads: 2 }, /threads \(2\) encode records that arrive encoded/);
    await refuses({ input: 'record', maskFields: ['ip'] }, /maskFields masks records that arrive encoded/);
    await refuses({ format: { extension: '.x', name: 'custom', open: () => new NdjsonFormat().open() } }, /needs a built-in format/);
  });

  it('decodes binary Avro input', async () => {
    const type = avro.Type.forSchema(SCHEMA);
    const { bolt } = await startSink({ input: { avro: SCHEMA } });
    for (let o = 0; o < 3; o++) await bolt.execute(sourceTuple(type.toBuffer(event(o)), 'events', 0, o));
    await bolt.flush();
    const [file] = (await listTree(root)).filter((p) => p.endsWith('.avro'));
    assert.deepEqual(JSON.parse(JSON.stringify(await decodeAvro(await readFile(join(root, file!))))), [event(0), event(1), event(2)]);
    await bolt.cleanup();
  });
});
