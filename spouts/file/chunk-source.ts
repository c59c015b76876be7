/**
 * The bytes of one input, chunk by chunk, decompressed when the file is compressed. A plain file
 * is read with positioned reads, so a file that grows can be read on from where the reader
 * stopped (`--follow`), and a file cut shorter while it is read is noticed. A compressed file
 * and stdin are streams: they end once.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { PassThrough, type Readable, type Transform, pipeline } from 'node:stream';
import { ErrorCodes } from '../../core/index.js';
import { type Compression, MAGIC_BYTES, decompressor, detectCompression } from './compression.js';
import { FileReadError } from './file-read-error.js';

/** Bytes read at a time from a plain file. @default 1 MiB */
export const CHUNK_BYTES = 1 << 20;
/** Bytes read at a time from a compressed file. */
const STREAM_CHUNK_BYTES = 1 << 16;

/** A source of byte chunks. */
export interface ChunkSource {
  /** The next chunk, or null when there is none for now (see `ended`). */
  next(): Promise<Buffer | null>;
  /** True once no byte will ever come again (a stream's end). A plain file may still grow. */
  readonly ended: boolean;
  /** Bytes consumed of the input as stored (compressed bytes for a compressed file). */
  readonly storedBytes: number;
  readonly compression: Compression;
  close(): Promise<void>;
}

class PlainFileChunks implements ChunkSource {
  readonly compression = 'none';
  readonly ended = false;
  readonly #handle: FileHandle;
  readonly #chunkBytes: number;
  #position = 0;

  constructor(handle: FileHandle, chunkBytes: number) {
    this.#handle = handle;
    this.#chunkBytes = chunkBytes;
  }

  get storedBytes(): number {
    return this.#position;
  }

  async next(): Promise<Buffer | null> {
    const buffer = Buffer.allocUnsafe(this.#chunkBytes);
    const { bytesRead } = await this.#handle.read(buffer, 0, this.#chunkBytes, this.#position);
    if (bytesRead === 0) {
      const { size } = await this.#handle.stat();
      if (size < this.#position) throw new FileReadError(`the file was truncated to ${size} bytes while it was read`, this.#position);
      return null;
    }
    this.#position += bytesRead;
    return buffer.subarray(0, bytesRead);
  }

  close(): Promise<void> {
    return this.#handle.close();
  }
}

/** A stream of chunks: a decompressed file, or stdin. */
export class StreamChunks implements ChunkSource {
  readonly compression: Compression;
  #ended = false;
  #stored = 0;
  readonly #chunks: AsyncIterator<Buffer>;
  readonly #output: Readable;
  readonly #what: string;
  /** Compressed bytes the decompressor took, where it tells (zlib does). */
  readonly #consumed: (() => number | undefined) | undefined;

  /** `raw` is the input as stored; with a compression it goes through its decompressor. */
  constructor(raw: Readable, compression: Compression, what = 'data') {
    this.compression = compression;
    this.#what = what;
    const counter = new PassThrough();
    counter.on('data', (chunk: Buffer) => (this.#stored += chunk.length));
    if (compression === 'none') this.#output = pipeline(raw, counter, () => {});
    else {
      const decompress = decompressor(compression);
      this.#consumed = () => (decompress as Transform & { bytesWritten?: number }).bytesWritten;
      this.#output = pipeline(raw, counter, decompress, () => {});
    }
    this.#chunks = this.#output[Symbol.asyncIterator]();
  }

  get ended(): boolean {
    return this.#ended;
  }

  get storedBytes(): number {
    return this.#stored;
  }

  async next(): Promise<Buffer | null> {
    if (this.#ended) return null;
    try {
      const { value, done } = await this.#chunks.next();
      if (done === true) {
        this.#ended = true;
        this.#checkConsumed();
        return null;
      }
      return value;
    } catch (error) {
      this.#ended = true;
      if (error instanceof FileReadError) throw error;
      const corrupt = this.compression === 'none' ? '' : `corrupt ${this.compression} ${this.#what}: `;
      throw new FileReadError(`${corrupt}${(error as Error).message}`, this.#stored, { cause: error });
    }
  }

  async close(): Promise<void> {
    this.#ended = true;
    this.#output.destroy();
  }

  /**
   * zlib ends quietly at bytes after a gzip member that do not start another one (a member whose
   * header is damaged, say), and everything after them would be lost unseen: that is damage.
   */
  #checkConsumed(): void {
    const consumed = this.#consumed?.();
    if (consumed !== undefined && consumed < this.#stored) {
      throw new FileReadError(`corrupt ${this.compression} ${this.#what}: ${this.#stored - consumed} bytes after byte ${consumed} are not ${this.compression} data (a damaged member?)`, consumed);
    }
  }
}

/**
 * Opens a file and tells its compression by its first bytes. A compression we do not read is a
 * {@link FileReadError} that names it and says what to do.
 */
export async function openChunks(path: string, chunkBytes: number = CHUNK_BYTES): Promise<ChunkSource> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(MAGIC_BYTES);
    const { bytesRead } = await handle.read(head, 0, MAGIC_BYTES, 0);
    const compression = detectCompression(head.subarray(0, bytesRead));
    if (typeof compression === 'object') {
      throw new FileReadError(`the file is compressed with ${compression.unsupported}, which Squall does not read: decompress it first, or recompress it with gzip or zstd`, 0, {
        code: ErrorCodes.INVALID_CONFIG,
      });
    }
    if (compression === 'none') return new PlainFileChunks(handle, chunkBytes);
    return new StreamChunks(handle.createReadStream({ start: 0, highWaterMark: STREAM_CHUNK_BYTES }), compression);
  } catch (error) {
    await handle.close();
    throw error;
  }
}
