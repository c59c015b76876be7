/**
 * Avro container codecs: `null`, `deflate` (raw RFC 1951 deflate, as the Avro spec says) and
 * `snappy` (Avro's framing: a snappy-compressed block followed by the 4-byte big-endian CRC32 of
 * the uncompressed data). The `snappy` package loads lazily, only when that codec is used.
 */
import { createRequire } from 'node:module';
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';
import { HdfsErrorCodes, hdfsError } from './errors.js';

/** The codecs the sink can write. */
export type AvroCodecName = 'null' | 'deflate' | 'snappy';

/** Compresses one block's bytes, synchronously. */
export type BlockCompressor = (block: Buffer) => Buffer;

type Snappy = { compressSync(data: Buffer): Buffer; uncompressSync(data: Buffer, options?: { asBuffer: true }): Buffer | string };
let snappyModule: Snappy | undefined;

function snappy(): Snappy {
  if (snappyModule === undefined) {
    try {
      snappyModule = createRequire(import.meta.url)('snappy') as Snappy;
    } catch (error) {
      throw hdfsError(HdfsErrorCodes.INVALID_OPTIONS, `the Avro snappy codec needs the 'snappy' package: npm install snappy (${(error as Error).message})`, { cause: error });
    }
  }
  return snappyModule;
}

/** The compressor of a codec. `level` applies to deflate (1 fastest … 9 smallest). */
export function blockCompressor(codec: AvroCodecName, level = 6): BlockCompressor {
  switch (codec) {
    case 'null':
      return (block) => block;
    case 'deflate':
      return (block) => deflateRawSync(block, { level });
    case 'snappy': {
      const s = snappy();
      return (block) => {
        const compressed = s.compressSync(block);
        const out = Buffer.allocUnsafe(compressed.length + 4);
        compressed.copy(out, 0);
        out.writeUInt32BE(crc32(block) >>> 0, compressed.length);
        return out;
      };
    }
    default:
      throw hdfsError(HdfsErrorCodes.INVALID_OPTIONS, `unknown Avro codec ${JSON.stringify(codec)}: use 'null', 'deflate' or 'snappy'`);
  }
}

/** Snappy-framed block → data, checking the CRC. */
export function snappyDecompress(block: Buffer): Buffer {
  const data = snappy().uncompressSync(block.subarray(0, block.length - 4), { asBuffer: true }) as Buffer;
  const expected = block.readUInt32BE(block.length - 4);
  if ((crc32(data) >>> 0) !== expected) throw new Error('snappy block CRC32 mismatch');
  return data;
}

/**
 * Decompressors in the callback shape avsc's `BlockDecoder` takes as `codecs`, so avsc's own
 * reader (`avro.createFileDecoder(path, { codecs: avroDecoderCodecs() })`) reads every codec the
 * sink writes.
 */
export function avroDecoderCodecs(): Record<string, (buf: Buffer, cb: (error: Error | null, data?: Buffer) => void) => void> {
  const wrap = (fn: (b: Buffer) => Buffer) => (buf: Buffer, cb: (error: Error | null, data?: Buffer) => void) => {
    let out: Buffer;
    try {
      out = fn(buf);
    } catch (error) {
      cb(error as Error);
      return;
    }
    cb(null, out);
  };
  return { null: wrap((b) => b), deflate: wrap((b) => inflateRawSync(b)), snappy: wrap(snappyDecompress) };
}
