/**
 * Reads a text file line by line in large chunks, without holding the whole file in memory.
 *
 * Lines are cut at newline bytes before decoding: a 0x0A byte is never part of a multi-byte UTF-8
 * character, so each chunk's complete lines decode on their own, and the bytes after the last
 * newline wait for the next chunk. Decoding with `Buffer#toString` gives one-byte strings for
 * ASCII text (a streaming `TextDecoder` gives two-byte ones, slower to parse and twice the size).
 */
import { type FileHandle, open } from 'node:fs/promises';

/** Bytes read at a time. @default 1 MiB */
const CHUNK_BYTES = 1 << 20;
const NEWLINE = 0x0a;
const BOM = '\ufeff';

export class LineReader {
  readonly path: string;
  readonly #chunkBytes: number;
  #handle: FileHandle | undefined;
  #position = 0;
  /** Bytes of an unfinished line, from earlier chunks. */
  #carry: Buffer = Buffer.alloc(0);
  #first = true;
  #eof = false;

  /** @param chunkBytes bytes read at a time (tests use small ones) */
  constructor(path: string, chunkBytes: number = CHUNK_BYTES) {
    this.path = path;
    this.#chunkBytes = chunkBytes;
  }

  get eof(): boolean {
    return this.#eof;
  }

  async open(): Promise<void> {
    this.#handle = await open(this.path, 'r');
  }

  /** The next chunk's complete lines (possibly none), or [] with `eof` set at the end. */
  async readLines(): Promise<string[]> {
    if (this.#eof) return [];
    const carried = this.#carry.length;
    const buffer = Buffer.allocUnsafe(carried + this.#chunkBytes);
    this.#carry.copy(buffer, 0);
    const { bytesRead } = await this.#handle!.read(buffer, carried, this.#chunkBytes, this.#position);
    this.#position += bytesRead;
    if (bytesRead === 0) {
      this.#eof = true;
      this.#carry = Buffer.alloc(0);
      return carried > 0 ? [this.#decode(buffer, carried)] : [];
    }
    const end = carried + bytesRead;
    const lastNewline = buffer.lastIndexOf(NEWLINE, end - 1);
    if (lastNewline < carried) {
      // No line ends in this chunk: keep it all for the next one.
      this.#carry = buffer.subarray(0, end);
      return [];
    }
    this.#carry = Buffer.from(buffer.subarray(lastNewline + 1, end));
    return this.#decode(buffer, lastNewline).split('\n');
  }

  async close(): Promise<void> {
    await this.#handle?.close();
    this.#handle = undefined;
  }

  /** UTF-8 text of `buffer[0, end)`, without the file's byte order mark. */
  #decode(buffer: Buffer, end: number): string {
    const text = buffer.toString('utf8', 0, end);
    if (!this.#first) return text;
    this.#first = false;
    return text.startsWith(BOM) ? text.slice(1) : text;
  }
}
