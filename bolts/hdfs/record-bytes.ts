/**
 * Records encoded one after another into one growing buffer, which is reused once its bytes are
 * taken or cleared: Avro datums (avsc's `Type#encode`, no buffer per record) or JSON lines. An
 * Avro block being filled and a bolt encoding a batch of records for the sink both write here.
 */
import type avro from 'avsc';

export class RecordBytes {
  #buf: Buffer | undefined;
  #pos = 0;

  /** `initialBytes`: the buffer's first size, allocated on the first write. */
  constructor(readonly initialBytes: number) {}

  /** Bytes written since the last take or clear. */
  get length(): number {
    return this.#pos;
  }

  /** Encodes one Avro datum. Throws avsc's error, and keeps nothing of the record, when it does not fit the type. */
  addAvro(type: avro.Type, record: unknown): void {
    for (;;) {
      const buf = this.#room(0);
      const end = type.encode(record, buf, this.#pos);
      if (end >= 0) {
        this.#pos = end;
        return;
      }
      // `end` is minus the bytes missing past the buffer's end: grow, and encode again.
      this.#room(buf.length - end - this.#pos);
    }
  }

  /** Writes a record as one line of JSON and its newline. Throws, keeping nothing, when it has no JSON form. */
  addJsonLine(record: unknown): void {
    const text = JSON.stringify(record);
    if (text === undefined) throw new Error(`${String(record)} has no JSON form`);
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    const buf = this.#room(3 * text.length + 1);
    this.#pos += buf.write(text, this.#pos);
    buf[this.#pos++] = 0x0a;
  }

  /** Appends `data[start, end)` as it is. */
  addBytes(data: Buffer, start: number, end: number): void {
    this.#pos += data.copy(this.#room(end - start), this.#pos, start, end);
  }

  /** The bytes written so far, in place: valid until the next write or clear. */
  view(): Buffer {
    return (this.#buf ?? Buffer.alloc(0)).subarray(0, this.#pos);
  }

  /** Starts again, keeping the buffer. */
  clear(): void {
    this.#pos = 0;
  }

  /** The bytes written so far, copied into a buffer of their own; then starts again. */
  take(): Buffer {
    const out = Buffer.allocUnsafeSlow(this.#pos);
    this.#buf?.copy(out, 0, 0, this.#pos);
    this.#pos = 0;
    return out;
  }

  /** The buffer, with room for `bytes` more after the last write (grown, keeping what it holds). */
  #room(bytes: number): Buffer {
    const buf = (this.#buf ??= Buffer.allocUnsafeSlow(Math.max(this.initialBytes, bytes)));
    if (buf.length - this.#pos >= bytes) return buf;
    const bigger = Buffer.allocUnsafeSlow(2 * (this.#pos + bytes));
    buf.copy(bigger, 0, 0, this.#pos);
    return (this.#buf = bigger);
  }
}
