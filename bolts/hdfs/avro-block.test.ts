import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inflateRawSync } from 'node:zlib';
import avro from 'avsc';
import { AvroBlockBuilder } from './avro-block.js';
import { blockCompressor } from './avro-codecs.js';

const type = avro.Type.forSchema({ type: 'record', name: 'R', fields: [{ name: 'id', type: 'long' }, { name: 'text', type: 'string' }] });

/** The records of an uncompressed block. */
function decodeAll(data: Buffer, count: number): unknown[] {
  const out: unknown[] = [];
  let pos = 0;
  for (let i = 0; i < count; i++) {
    const { value, offset } = type.decode(data, pos);
    out.push({ ...(value as object) });
    pos = offset;
  }
  assert.equal(pos, data.length, 'the block holds exactly its records');
  return out;
}

describe('AvroBlockBuilder', () => {
  it('holds records as toBuffer encodes them, and grows for a record bigger than its buffer', () => {
    const block = new AvroBlockBuilder(type, 64, blockCompressor('null'));
    const records = [{ id: 1, text: 'a' }, { id: 2, text: 'x'.repeat(10_000) }, { id: -3, text: 'é' }];
    for (const r of records) block.add(r);
    assert.equal(block.size, records.reduce((n, r) => n + type.toBuffer(r).length, 0));
    const closed = block.close()!;
    assert.equal(closed.count, 3);
    assert.deepEqual(closed.data, Buffer.concat(records.map((r) => type.toBuffer(r))));
    assert.deepEqual(decodeAll(closed.data, 3), records);
    assert.equal(block.close(), undefined, 'a new block starts empty');
  });

  it('a closed block keeps its bytes when the next block reuses the buffer (no codec)', () => {
    const block = new AvroBlockBuilder(type, 1024, blockCompressor('null'));
    block.add({ id: 1, text: 'first' });
    const first = block.close()!;
    block.add({ id: 2, text: 'second' });
    const second = block.close()!;
    assert.deepEqual(decodeAll(first.data, 1), [{ id: 1, text: 'first' }]);
    assert.deepEqual(decodeAll(second.data, 1), [{ id: 2, text: 'second' }]);
  });

  it('a record that does not fit throws and leaves the block as it was', () => {
    const block = new AvroBlockBuilder(type, 1024, blockCompressor('null'));
    block.add({ id: 1, text: 'kept' });
    const size = block.size;
    assert.throws(() => block.add({ id: 'not a number', text: 'x'.repeat(100) }));
    assert.equal(block.size, size);
    assert.equal(block.count, 1);
    block.add({ id: 2, text: 'after' });
    assert.deepEqual(decodeAll(block.close()!.data, 2), [{ id: 1, text: 'kept' }, { id: 2, text: 'after' }]);
  });

  it('is full once its uncompressed bytes reach blockBytes, and compresses on close', () => {
    const block = new AvroBlockBuilder(type, 100, blockCompressor('deflate'));
    while (!block.full) block.add({ id: 7, text: 'y'.repeat(10) });
    assert.ok(block.size >= 100);
    const { data, count } = block.close()!;
    assert.ok(data.length < 100, 'deflated');
    const records = Array.from({ length: count }, () => ({ id: 7, text: 'y'.repeat(10) }));
    assert.deepEqual(decodeAll(inflateRawSync(data), count), records);
  });
});
