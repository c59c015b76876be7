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

  it('keeps every byte across buffers: lines longer than a buffer, many lines, and chunks taken between them', () => {
    const writer = new NdjsonFormat().open();
    const records = [
      { big: 'é'.repeat(700_000) }, // 1.4 MB of UTF-8: more than one line buffer
      ...Array.from({ length: 30_000 }, (_, i) => ({ i, s: '🙂'.repeat(i % 7) })),
      { big: 'x'.repeat(2_000_000) },
    ];
    const taken: Buffer[] = [];
    for (const [n, r] of records.entries()) {
      writer.write(r);
      if (n % 9_999 === 0) taken.push(writer.take()!);
    }
    taken.push(writer.end());
    const expected = records.map((r) => `${JSON.stringify(r)}\n`).join('');
    assert.equal(Buffer.concat(taken).toString('utf8'), expected);
    assert.equal(writer.bytes, Buffer.byteLength(expected));
    assert.equal(writer.records, records.length);
  });

  it('refuses a record with no JSON form', () => {
    assert.throws(() => new NdjsonFormat().open().write(undefined), /has no JSON form/);
  });
});
