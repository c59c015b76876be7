import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { CODEC_CANDIDATES } from './codec-candidates.js';
import { KAFKA_CODECS, canCompress, kafkaCodecSupport, registerKafkaCodecs, selectKafkaCodecs, unregisterKafkaCodec } from './codecs.js';
import { XERIAL_BLOCK_BYTES, XERIAL_MAGIC, frameSnappy, isXerialFramed, unframeSnappy } from './snappy-framing.js';

const { CompressionCodecs, CompressionTypes } = kafkajs;
const require = createRequire(import.meta.url);
const snappy = require('snappy') as { compressSync(b: Buffer): Buffer; uncompressSync(b: Buffer): Buffer };

/** Varnishkafka-like text: compressible, as real batches are. */
const text = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => `{"hostname":"cp30${i % 9}.esams.wmnet","sequence":${i},"uri_path":"/wiki/Page_${i % 97}"}\n`).join(''));

describe('snappy framing', () => {
  it('writes the xerial header and one length-prefixed block per 32 KiB, as snappy-java does', () => {
    const data = text(2000);
    assert.ok(data.length > 2 * XERIAL_BLOCK_BYTES);
    const framed = frameSnappy(data, (b) => snappy.compressSync(b));
    assert.deepEqual(framed.subarray(0, 8), XERIAL_MAGIC);
    assert.equal(framed.readUInt32BE(8), 1);
    assert.equal(framed.readUInt32BE(12), 1);
    let at = 16;
    let blocks = 0;
    while (at < framed.length) {
      const length = framed.readUInt32BE(at);
      assert.ok(snappy.uncompressSync(framed.subarray(at + 4, at + 4 + length)).length <= XERIAL_BLOCK_BYTES);
      at += 4 + length;
      blocks++;
    }
    assert.equal(at, framed.length);
    assert.equal(blocks, Math.ceil(data.length / XERIAL_BLOCK_BYTES));
  });

  it('reads the xerial framing (Java client) and a raw block (librdkafka) alike', () => {
    const data = text(3000);
    const framed = frameSnappy(data, (b) => snappy.compressSync(b));
    const raw = snappy.compressSync(data);
    assert.ok(isXerialFramed(framed));
    assert.ok(!isXerialFramed(raw));
    assert.deepEqual(unframeSnappy(framed, (b) => snappy.uncompressSync(b)), data);
    assert.deepEqual(unframeSnappy(raw, (b) => snappy.uncompressSync(b)), data);
  });

  it('frames an empty payload as one empty block', () => {
    const framed = frameSnappy(Buffer.alloc(0), (b) => snappy.compressSync(b));
    assert.equal(unframeSnappy(framed, (b) => snappy.uncompressSync(b)).length, 0);
  });

  it('refuses a truncated frame, saying where', () => {
    const framed = frameSnappy(text(100), (b) => snappy.compressSync(b));
    assert.throws(() => unframeSnappy(framed.subarray(0, framed.length - 3), (b) => snappy.uncompressSync(b)), /truncated xerial snappy frame: a chunk of \d+ bytes with \d+ left/);
  });
});

describe('codec candidates', () => {
  const data = Buffer.concat([text(1500), randomBytes(5000)]);
  for (const codec of KAFKA_CODECS) {
    const candidates = CODEC_CANDIDATES.filter((c) => c.codec === codec).map((c) => ({ c, f: c.create(require) }));
    it(`${codec}: every library reads what every library writes (${candidates.map((x) => x.c.library).join(', ')})`, async () => {
      assert.ok(candidates.length >= 2, 'a native library and a pure-JavaScript fallback');
      assert.ok(candidates.some((x) => !x.c.native), 'a pure-JavaScript fallback');
      for (const writer of candidates.filter((x) => x.f.compress !== undefined)) {
        const compressed = await writer.f.compress!(data);
        assert.ok(compressed.length < data.length, `${writer.c.library} compresses`);
        for (const reader of candidates) assert.deepEqual(await reader.f.decompress(compressed), data, `${reader.c.library} reads ${writer.c.library}`);
      }
    });
  }
});

describe('selectKafkaCodecs', () => {
  it('uses the preferred library of each codec when it loads', () => {
    const chosen = selectKafkaCodecs();
    assert.deepEqual(
      chosen.map((c) => [c.codec, c.library, c.note]),
      KAFKA_CODECS.map((codec) => [codec, CODEC_CANDIDATES.find((c) => c.codec === codec)!.library, undefined]),
    );
  });

  it('falls back to pure JavaScript when a native add-on has no binary, and says so', async () => {
    const natives = new Set(CODEC_CANDIDATES.filter((c) => c.native).map((c) => c.library));
    const load = (id: string) => {
      if (natives.has(id)) throw new Error(`Cannot find module '${id}-${process.platform}-${process.arch}'\nRequire stack: ...`);
      return require(id);
    };
    const chosen = selectKafkaCodecs(load);
    for (const c of chosen) {
      assert.equal(c.native, false, c.codec);
      assert.ok(c.functions !== undefined, `${c.codec} still decompresses`);
      const ofCodec = CODEC_CANDIDATES.filter((x) => x.codec === c.codec);
      const skipped = ofCodec.slice(0, ofCodec.findIndex((x) => !x.native)).at(-1);
      if (skipped !== undefined) {
        assert.match(c.note ?? '', new RegExp(`${skipped.library} \\(native add-on; no binary loads for ${process.platform}-${process.arch}\\?\\) could not be loaded: Cannot find module`));
        assert.doesNotMatch(c.note ?? '', /Require stack/);
      }
    }
    const zstd = chosen.find((c) => c.codec === 'zstd')!;
    assert.equal(zstd.library, 'fzstd');
    assert.equal(zstd.canCompress, false);
    const sample = await CODEC_CANDIDATES.find((c) => c.codec === 'zstd' && c.native)!.create(require).compress!(text(50));
    assert.deepEqual(await zstd.functions!.decompress(sample), text(50));
  });

  it('reports a codec no library loads, naming every attempt', () => {
    const [snappyChoice] = selectKafkaCodecs(() => {
      throw new Error('nothing here');
    });
    assert.equal(snappyChoice!.library, undefined);
    assert.match(snappyChoice!.note!, /^snappyjs could not be loaded: nothing here; snappy \(native add-on.*\) could not be loaded: nothing here$/);
  });
});

describe('registerKafkaCodecs', () => {
  type Table = Record<number, () => { compress(e: { buffer: Buffer }): Promise<Buffer>; decompress(b: Buffer): Promise<Buffer> }>;
  const table = CompressionCodecs as unknown as Table;

  it('gives kafkajs snappy, lz4 and zstd, and reports what each uses', async () => {
    const support = registerKafkaCodecs();
    assert.deepEqual(support.map((s) => s.codec), ['snappy', 'lz4', 'zstd']);
    assert.deepEqual(kafkaCodecSupport(), support);
    const data = text(400);
    for (const type of [CompressionTypes.Snappy, CompressionTypes.LZ4, CompressionTypes.ZSTD]) {
      const codec = table[type]!();
      assert.deepEqual(await codec.decompress(await codec.compress({ buffer: data })), data);
    }
    assert.ok(canCompress('zstd'));
  });

  it('names the codec and library when a batch does not decompress', async () => {
    await assert.rejects(table[CompressionTypes.LZ4]!().decompress(Buffer.from('not lz4 at all')), /^Error: lz4 \(lz4-napi\) could not decompress a batch of 14 bytes: /);
  });

  it('unregisterKafkaCodec puts back kafkajs "not implemented", and registering again keeps it so', () => {
    unregisterKafkaCodec('zstd');
    registerKafkaCodecs();
    assert.throws(() => table[CompressionTypes.ZSTD]!(), { name: 'KafkaJSNotImplemented', message: 'ZSTD compression not implemented' });
    assert.doesNotThrow(() => table[CompressionTypes.Snappy]!());
  });
});
