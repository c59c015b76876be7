import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SquallError } from '../../core/index.js';
import { AvroContainerFormat } from './avro-container-format.js';
import { HdfsErrorCodes } from './errors.js';
import { NdjsonFormat } from './ndjson-format.js';
import { readAvro, TEST_SCHEMA } from './sink-test-kit.js';

describe('AvroContainerFormat', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'squall-avro-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const codec of ['deflate', 'snappy', 'null'] as const) {
    it(`writes files avsc reads back with the ${codec} codec, across many blocks`, async () => {
      const writer = new AvroContainerFormat({ schema: TEST_SCHEMA as never, codec, blockBytes: 4096 }).open();
      const input = Array.from({ length: 2000 }, (_, i) => ({ id: i, dt: '2024-01-01T00:00:00Z', text: 'x'.repeat(i % 97), tags: { n: String(i) } }));
      const chunks: Buffer[] = [];
      for (const r of input) {
        writer.write(r);
        const ready = writer.take();
        if (ready !== undefined) chunks.push(ready);
      }
      chunks.push(writer.end());
      const bytes = Buffer.concat(chunks);
      assert.equal(writer.bytes, bytes.length);
      assert.equal(writer.records, 2000);
      const path = join(dir, `events-${codec}.avro`);
      await writeFile(path, bytes);
      const { records, codec: written } = await readAvro(path);
      assert.equal(written, codec);
      assert.deepEqual(
        records.map((r) => ({ ...(r as object) })),
        input,
      );
    });
  }

  it('rejects a record that does not fit the schema with a reason, and writes nothing for it', () => {
    const writer = new AvroContainerFormat({ schema: TEST_SCHEMA as never, codec: 'deflate' }).open();
    const before = writer.bytes;
    assert.throws(
      () => writer.write({ id: 'seven', dt: 'x', text: 'y', tags: {} }),
      (e: unknown) => e instanceof SquallError && e.code === HdfsErrorCodes.BAD_RECORD && /id="seven"/.test(e.message),
    );
    assert.equal(writer.bytes, before);
    assert.equal(writer.records, 0);
  });

  it('describes its Hive storage with the schema literal', () => {
    const format = new AvroContainerFormat({ schema: TEST_SCHEMA as never });
    assert.match(format.hiveStorage, /^STORED AS AVRO\nTBLPROPERTIES \('avro\.schema\.literal'='\{"type":"record","name":"Event"/);
    assert.equal(format.name, 'avro/snappy');
  });
});

describe('NdjsonFormat', () => {
  it('writes one JSON line per record', () => {
    const writer = new NdjsonFormat().open();
    writer.write({ a: 1 });
    writer.write({ b: 'é' });
    assert.equal(writer.end().toString('utf8'), '{"a":1}\n{"b":"é"}\n');
    assert.throws(() => writer.write({ n: 1n }), (e: unknown) => e instanceof SquallError && e.code === HdfsErrorCodes.BAD_RECORD);
  });
});
