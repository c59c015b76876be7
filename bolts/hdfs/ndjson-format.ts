/** Newline-delimited JSON: one record per line, UTF-8. */
import { HdfsErrorCodes, hdfsError } from './errors.js';
import type { FormatEncoding } from './batch-encoder.js';
import type { EncodedChunks, RecordFormat, RecordWriter } from './record-format.js';

class NdjsonWriter implements RecordWriter {
  #chunks: Buffer[] = [];
  /** Lines written since the last chunk, encoded together when they are taken: one UTF-8 encoding per chunk, not per record. */
  #lines: string[] = [];
  #linesBytes = 0;
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
    const size = Buffer.byteLength(text) + 1;
    this.#lines.push(text);
    this.#linesBytes += size;
    this.#ready += size;
    this.records++;
  }

  /** Turns the lines written so far into one chunk, keeping them in order with encoded chunks. */
  #encodeLines(): void {
    if (this.#lines.length === 0) return;
    this.#lines.push('');
    const chunk = Buffer.allocUnsafe(this.#linesBytes);
    chunk.write(this.#lines.join('\n'));
    this.#chunks.push(chunk);
    this.#lines = [];
    this.#linesBytes = 0;
  }

  writeEncoded(encoded: EncodedChunks): void {
    this.#encodeLines();
    for (let i = 0; i < encoded.chunks.length; i++) {
      const data = encoded.chunks[i]!;
      this.#chunks.push(Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      this.#ready += data.byteLength;
      this.records += encoded.counts[i]!;
    }
  }

  take(): Buffer | undefined {
    this.#encodeLines();
    if (this.#chunks.length === 0) return undefined;
    const out = Buffer.concat(this.#chunks, this.#ready);
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
