import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import avro from 'avsc';
import { KafkaErrorCodes } from './errors.js';
import { RecordDecodeError, avroDecoder, bufferDecoder, decodeReasonOf, jsonDecoder, stringDecoder } from './decoders.js';

const decodeError = (fn: () => unknown): RecordDecodeError => {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof RecordDecodeError, `expected a RecordDecodeError, got ${String(error)}`);
    assert.equal(error.code, KafkaErrorCodes.DECODE);
    return error;
  }
  assert.fail('expected the decoder to throw');
};

describe('jsonDecoder', () => {
  it('parses UTF-8 JSON', () => {
    assert.deepEqual(jsonDecoder.decode(Buffer.from('{"a":1,"é":"ü"}')), { a: 1, é: 'ü' });
  });

  it('rejects malformed JSON with the parser message and a preview', () => {
    const e = decodeError(() => jsonDecoder.decode(Buffer.from('{"a":1,')));
    assert.match(e.message, /^invalid JSON \(.+\) in 7 bytes starting "\{\\"a\\":1,"$/);
  });

  it('rejects empty and null values', () => {
    assert.equal(decodeError(() => jsonDecoder.decode(Buffer.alloc(0))).message, 'empty message: JSON needs at least one byte');
    assert.equal(decodeError(() => jsonDecoder.decode(null)).message, 'the record has no value (null): JSON needs bytes');
  });

  it('keeps previews short', () => {
    const e = decodeError(() => jsonDecoder.decode(Buffer.from(`x${'y'.repeat(500)}`)));
    assert.ok(e.message.length < 200, e.message);
  });
});

describe('avroDecoder', () => {
  const type = avro.Type.forSchema({ type: 'record', name: 'Hit', fields: [{ name: 'host', type: 'string' }, { name: 'n', type: 'long' }] });
  const decoder = avroDecoder(type);

  it('decodes one datum', () => {
    assert.equal(decoder.name, 'avro:Hit');
    assert.deepEqual({ ...(decoder.decode(type.toBuffer({ host: 'en.wikipedia.org', n: 7 })) as object) }, { host: 'en.wikipedia.org', n: 7 });
  });

  it('rejects truncated buffers, trailing bytes, empty and null values', () => {
    const good = type.toBuffer({ host: 'en.wikipedia.org', n: 7 });
    assert.equal(decodeError(() => decoder.decode(good.subarray(0, 5))).message, 'invalid Avro for Hit (truncated buffer) in 5 bytes');
    assert.match(decodeError(() => decoder.decode(Buffer.concat([good, Buffer.from([0])]))).message, /trailing data/);
    assert.equal(decodeError(() => decoder.decode(Buffer.alloc(0))).message, 'empty message: Avro (Hit) needs at least one byte');
    assert.match(decodeError(() => decoder.decode(null)).message, /no value \(null\)/);
  });
});

describe('stringDecoder and bufferDecoder', () => {
  it('pass empty and null values through', () => {
    assert.equal(stringDecoder.decode(Buffer.from('héllo')), 'héllo');
    assert.equal(stringDecoder.decode(Buffer.alloc(0)), '');
    assert.equal(stringDecoder.decode(null), null);
    const bytes = Buffer.from([1, 2]);
    assert.equal(bufferDecoder.decode(bytes), bytes);
    assert.equal(bufferDecoder.decode(null), null);
  });
});

describe('decodeReasonOf', () => {
  it('uses a decode error message as is, and names the decoder for anything else', () => {
    assert.equal(decodeReasonOf(new RecordDecodeError('bad'), jsonDecoder), 'bad');
    assert.equal(decodeReasonOf(new TypeError('boom'), jsonDecoder), 'the json decoder failed: boom');
  });
});
