/**
 * Which compression a file uses, told by its first bytes (never by its name), and a streaming
 * decompressor for the ones we read: gzip (every member of a concatenated file, as `logrotate`
 * and `cat a.gz b.gz` make them) and zstd (every frame). Anything else we can recognize is
 * refused by name, so a `.bz2` file is not refined as 800 "malformed JSON" lines of binary.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';

/** How a file's bytes are stored. */
export type Compression = 'none' | 'gzip' | 'zstd';

/** Bytes needed to tell every format below apart. */
export const MAGIC_BYTES = 6;

const READABLE: ReadonlyArray<readonly [Compression, readonly number[]]> = [
  ['gzip', [0x1f, 0x8b]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
];

/** Formats we know by their magic bytes but do not read. */
const REFUSED: ReadonlyArray<readonly [string, readonly number[]]> = [
  ['bzip2', [0x42, 0x5a, 0x68]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['lz4', [0x04, 0x22, 0x4d, 0x18]],
  ['zip', [0x50, 0x4b, 0x03, 0x04]],
  ['7z', [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]],
  ['Unix compress (.Z)', [0x1f, 0x9d]],
  ['snappy framing', [0xff, 0x06, 0x00, 0x00, 0x73, 0x4e]],
];

const startsWith = (head: Buffer, magic: readonly number[]) => head.length >= magic.length && magic.every((b, i) => head[i] === b);

/**
 * The compression of a file that starts with `head`: one we read, or `{ unsupported: name }`
 * for one we recognize and refuse. Text (and anything unknown) is `'none'`.
 */
export function detectCompression(head: Buffer): Compression | { readonly unsupported: string } {
  for (const [name, magic] of READABLE) if (startsWith(head, magic)) return name;
  for (const [name, magic] of REFUSED) if (startsWith(head, magic)) return { unsupported: name };
  return 'none';
}

/** A stream that turns zstd frames (one or many, back to back) into their content. */
class ZstdStream extends Transform {
  readonly #decoder = new ZstdDecompress((data) => {
    if (data.length > 0) this.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  });

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      this.#decoder.push(chunk);
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      this.#decoder.push(new Uint8Array(0), true);
      done();
    } catch (error) {
      done(error as Error);
    }
  }
}

/** A decompressing stream for a readable compression. */
export function decompressor(compression: Exclude<Compression, 'none'>): Transform {
  return compression === 'gzip' ? createGunzip({ chunkSize: 1 << 18 }) : new ZstdStream();
}
