import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeAckBatch, decodeTupleBatch, encodeAckBatch, encodeTupleBatch, toWireTuple } from './wire-codec.js';
import { StreamSchema, TupleImpl } from './tuple-impl.js';

describe('wire codec', () => {
  it('round-trips values, stream, source task and every root of a tuple', () => {
    const schema = new StreamSchema('refine', 'errors', ['value', 'reason', 'origin']);
    const values = [{ nested: { a: [1, 'two', null], b: true } }, Buffer.from([0, 1, 255]), 'x@0', undefined, 2 ** 53 - 1, -0.5, 12345678901234567890n, new Date(Date.UTC(2026, 11, 3))];
    const tuple = new TupleImpl(values, schema, 4, 9);
    tuple.xorRoot(1, 77, 0x7fffffff, -1);
    tuple.xorRoot(2, 88, -123456, 42);
    tuple.xorRoot(1, 77, 5, 5); // the same root again: XORed in place
    const [back] = decodeTupleBatch(encodeTupleBatch([toWireTuple(tuple)]));
    assert.equal(back!.dest, 9);
    assert.equal(back!.source, 4);
    assert.equal(back!.component, 'refine');
    assert.equal(back!.stream, 'errors');
    assert.deepEqual(back!.values, values);
    assert.ok(Buffer.isBuffer(back!.values[1]) || back!.values[1] instanceof Uint8Array);
    assert.deepEqual(back!.roots, [1, 77, 0x7fffffff ^ 5, -1 ^ 5, 2, 88, -123456, 42]);
  });

  it('an unanchored tuple has no roots; a batch keeps its order', () => {
    const schema = new StreamSchema('src', 'default', ['i']);
    const batch = Array.from({ length: 100 }, (_, i) => toWireTuple(new TupleImpl([i], schema, 1, 2 + (i % 3))));
    const back = decodeTupleBatch(encodeTupleBatch(batch));
    assert.deepEqual(back.map((t) => t.values[0]), [...Array(100).keys()]);
    assert.deepEqual(back.map((t) => t.dest).slice(0, 4), [2, 3, 4, 2]);
    assert.ok(back.every((t) => t.roots.length === 0));
  });

  it('round-trips acks and fails with their reasons, and refuses bytes that are not a batch', () => {
    const acks = [
      { kind: 'ack' as const, rootTask: 1, rootId: 5, hi: -7, lo: 2 ** 31 - 1 },
      { kind: 'fail' as const, rootTask: 2, rootId: 6, reason: { kind: 'explicit' as const, component: 'sink', task: 9, message: 'disk full', code: 'SQUALL_ERR_X' } },
    ];
    assert.deepEqual(decodeAckBatch(encodeAckBatch(acks)), acks);
    assert.throws(() => decodeTupleBatch(encodeAckBatch(acks)), /not a tuple batch/);
    assert.throws(() => decodeTupleBatch(Buffer.from([0xc3])), /not a tuple batch/);
  });
});
