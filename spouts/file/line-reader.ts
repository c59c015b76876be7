/** Reads a text file line by line in large chunks, without holding the whole file in memory. */
import { type FileHandle, open } from 'node:fs/promises';

const CHUNK_BYTES = 1 << 20;

export class LineReader {
  readonly path: string;
  #handle: FileHandle | undefined;
  #position = 0;
  #carry = '';
  #eof = false;
  readonly #decoder = new TextDecoder('utf-8');

  constructor(path: string) {
    this.path = path;
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
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    const { bytesRead } = await this.#handle!.read(buffer, 0, CHUNK_BYTES, this.#position);
    this.#position += bytesRead;
    if (bytesRead === 0) {
      this.#eof = true;
      const last = this.#carry + this.#decoder.decode();
      this.#carry = '';
      return last.length > 0 ? [last] : [];
    }
    const text = this.#carry + this.#decoder.decode(buffer.subarray(0, bytesRead), { stream: true });
    const lines = text.split('\n');
    this.#carry = lines.pop()!;
    return lines;
  }

  async close(): Promise<void> {
    await this.#handle?.close();
    this.#handle = undefined;
  }
}
