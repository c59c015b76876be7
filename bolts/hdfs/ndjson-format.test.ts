import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NdjsonFormat } from './ndjson-format.js';

describe('NdjsonFormat', () => {
  it('writes one line per record, in order with encoded chunks, and counts UTF-8 bytes exactly', () => {
    const writer = new NdjsonFormat().open();
    writer.write({ title: 'Café', n: 1 });
    writer.writeEncoded!({ chunks: [Buffer.from('{"n":2}\n{"n":3}\n')], counts: [2] });
    writer.write({ title: '東京', n: 4 });
    const expected = '{"title":"Café","n":1}\n{"n":2}\n{"n":3}\n{"title":"東京","n":4}\n';
    assert.equal(writer.readyBytes, Buffer.byteLength(expected));
    assert.equal(writer.records, 4);
    const taken = writer.take()!;
    assert.equal(taken.toString('utf8'), expected);
    assert.equal(writer.bytes, taken.length);
    assert.equal(writer.take(), undefined);
    writer.write({ n: 5 });
    assert.equal(writer.end().toString(), '{"n":5}\n');
  });

  it('refuses a record with no JSON form', () => {
    assert.throws(() => new NdjsonFormat().open().write(undefined), /has no JSON form/);
  });
});
