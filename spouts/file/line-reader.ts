/**
 * Reads lines from a {@link ChunkSource} (a plain or compressed file, or stdin), without holding
 * the whole input in memory.
 *
 * Lines are cut at newline bytes before decoding: a 0x0A byte is never part of a multi-byte UTF-8
 * character, so each chunk's complete lines decode on their own, and the bytes after the last
 * newline wait for the next chunk. Decoding with `Buffer#toString` gives one-byte strings for
 * ASCII text (a streaming `TextDecoder` gives two-byte ones, slower to parse and twice the size).
 */
import { CHUNK_BYTES, type ChunkSource, openChunks } from './chunk-source.js';

const NEWLINE = 0x0a;
const BOM = '\ufeff';
const EMPTY = Buffer.alloc(0);

export class LineReader {
  readonly #source: ChunkSource;
  /** Bytes of an unfinished line, from earlier chunks. */
  #carry: Buffer = EMPTY;
  #first = true;
  #eof = false;

  constructor(source: ChunkSource) {
    this.#source = source;
  }

  /**
   * Opens a file, plain or compressed (told by its first bytes).
   * @param chunkBytes bytes read at a time from a plain file (tests use small ones)
   */
  static async open(path: string, chunkBytes: number = CHUNK_BYTES): Promise<LineReader> {
    return new LineReader(await openChunks(path, chunkBytes));
  }

  get eof(): boolean {
    return this.#eof;
  }

  /** Bytes consumed of the input as stored (compressed bytes for a compressed file). */
  get storedBytes(): number {
    return this.#source.storedBytes;
  }

  get source(): ChunkSource {
    return this.#source;
  }

  /**
   * The next chunk's complete lines (possibly none), or [] with `eof` set at the end. With
   * `final` false, the end of a plain file is taken as "nothing more yet": a last line without
   * its newline waits, and `eof` stays unset, so a file still being written can be read on.
   */
  async readLines(final = true): Promise<string[]> {
    if (this.#eof) return [];
    const chunk = await this.#source.next();
    if (chunk === null) {
      if (!final && !this.#source.ended) return [];
      this.#eof = true;
      const carried = this.#carry;
      this.#carry = EMPTY;
      return carried.length > 0 ? [this.#decode(carried)] : [];
    }
    const lastNewline = chunk.lastIndexOf(NEWLINE);
    if (lastNewline < 0) {
      // No line ends in this chunk: keep it all for the next one.
      this.#carry = Buffer.concat([this.#carry, chunk]);
      return [];
    }
    const complete = this.#carry.length > 0 ? Buffer.concat([this.#carry, chunk.subarray(0, lastNewline)]) : chunk.subarray(0, lastNewline);
    this.#carry = lastNewline + 1 < chunk.length ? Buffer.from(chunk.subarray(lastNewline + 1)) : EMPTY;
    return this.#decode(complete).split('\n');
  }

  async close(): Promise<void> {
    await this.#source.close();
  }

  /** UTF-8 text of `bytes`, without the input's byte order mark. */
  #decode(bytes: Buffer): string {
    const text = bytes.toString('utf8');
    if (!this.#first) return text;
    this.#first = false;
    return text.startsWith(BOM) ? text.slice(1) : text;
  }
}
