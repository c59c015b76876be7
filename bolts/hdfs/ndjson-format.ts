/** Newline-delimited JSON: one record per line, UTF-8. */
import { HdfsErrorCodes, hdfsError } from './errors.js';
import type { FormatEncoding } from './batch-encoder.js';
import type { EncodedChunks, RecordFormat, RecordWriter } from './record-format.js';

const NEWLINE = 0x0a;

class NdjsonWriter implements RecordWriter {
  #chunks: Buffer[] = [];
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
    const line = Buffer.allocUnsafe(Buffer.byteLength(text) + 1);
    line.write(text);
    line[line.length - 1] = NEWLINE;
    this.#chunks.push(line);
    this.#ready += line.length;
    this.records++;
  }

  writeEncoded(encoded: EncodedChunks): void {
    for (let i = 0; i < encoded.chunks.length; i++) {
      const data = encoded.chunks[i]!;
      this.#chunks.push(Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      this.#ready += data.byteLength;
      this.records += encoded.counts[i]!;
    }
  }

  take(): Buffer | undefined {
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
