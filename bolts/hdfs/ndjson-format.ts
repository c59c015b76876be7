/** Newline-delimited JSON: one record per line, UTF-8. */
import { HdfsErrorCodes, hdfsError } from './errors.js';
import type { FormatEncoding } from './batch-encoder.js';
import type { EncodedChunks, RecordFormat, RecordWriter } from './record-format.js';

/** Bytes of each buffer lines are written into. */
const LINE_BUFFER_BYTES = 1 << 20;

class NdjsonWriter implements RecordWriter {
  #chunks: Buffer[] = [];
  /**
   * Lines are encoded straight into this buffer as they are written (no string or buffer per
   * line, no join); the bytes from `#start` to `#pos` are the lines not yet in `#chunks`.
   */
  #buf: Buffer | undefined;
  #start = 0;
  #pos = 0;
  #ready = 0;
  #taken = 0;
  records = 0;

  get bytes(): number {
    return this.#taken + this.#ready;
  }

  get readyBytes(): number {
    return this.#ready;
  }

  write(record: unknown): void {
    let text: string | undefined;
    try {
      text = JSON.stringify(record);
    } catch (error) {
      throw hdfsError(HdfsErrorCodes.BAD_RECORD, `record is not serializable as JSON: ${(error as Error).message}`, { cause: error });
    }
    if (text === undefined) throw hdfsError(HdfsErrorCodes.BAD_RECORD, `record ${String(record)} has no JSON form`);
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    const buf = this.#room(3 * text.length + 1);
    const size = buf.write(text, this.#pos) + 1;
    buf[this.#pos + size - 1] = 0x0a;
    this.#added(size);
  }

  writeRecordBytes(data: Buffer, start: number, end: number): void {
    const size = end - start;
    data.copy(this.#room(size), this.#pos, start, end);
    this.#added(size);
  }

  /** The line buffer, with room for `bytes` more after `#pos` (a new buffer when the last is full). */
  #room(bytes: number): Buffer {
    if (this.#buf === undefined || this.#buf.length - this.#pos < bytes) {
      this.#closeLines();
      this.#buf = Buffer.allocUnsafeSlow(Math.max(LINE_BUFFER_BYTES, bytes));
      this.#start = this.#pos = 0;
    }
    return this.#buf;
  }

  #added(bytes: number): void {
    this.#pos += bytes;
    this.#ready += bytes;
    this.records++;
  }

  /** Ends the run of lines written so far as a chunk, keeping them in order with encoded chunks. */
  #closeLines(): void {
    if (this.#pos === this.#start) return;
    this.#chunks.push(this.#buf!.subarray(this.#start, this.#pos));
    this.#start = this.#pos;
  }

  writeEncoded(encoded: EncodedChunks): void {
    this.#closeLines();
    for (let i = 0; i < encoded.chunks.length; i++) {
      const data = encoded.chunks[i]!;
      this.#chunks.push(Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      this.#ready += data.byteLength;
      this.records += encoded.counts[i]!;
    }
  }

  take(): Buffer | undefined {
    this.#closeLines();
    if (this.#chunks.length === 0) return undefined;
    // Chunks are never written again once taken: one is handed over as it is.
    const out = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#ready);
    this.#chunks = [];
    this.#taken += this.#ready;
    this.#ready = 0;
    return out;
  }

  end(): Buffer {
    return this.take() ?? Buffer.alloc(0);
  }
}

/** Writes each record as one JSON line. */
export class NdjsonFormat implements RecordFormat {
  readonly extension = '.ndjson';
  readonly name = 'ndjson';
  readonly encoding: FormatEncoding = Object.freeze({ kind: 'ndjson' });
  open(): RecordWriter {
    return new NdjsonWriter();
  }
}
