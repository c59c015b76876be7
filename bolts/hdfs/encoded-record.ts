/**
 * A record that an upstream bolt already encoded in the sink's file format, with its event time.
 * The bolt that makes records can then encode them where it makes them (on its thread pool, say),
 * and the sink only places and copies bytes: it never holds the record as an object.
 *
 * The bytes are a range of a buffer that a whole batch of records may share: an NDJSON line with
 * its newline, or one Avro datum of the format's schema (a block's records are such datums, one
 * after the other).
 *
 * @example
 * ```ts
 * const format = new NdjsonFormat();
 * const line = Buffer.from('{"dt":"2026-11-22T10:00:00Z"}\n');
 * collector.emit([new EncodedRecord(encodingKey(format.encoding), line, 0, line.length, Date.UTC(2026, 10, 22, 10)), topic, partition, offset], input);
 * ```
 */
import type avro from 'avsc';
import { registerWireType } from '../../core/index.js';
import { avroTypeOf, type FormatEncoding } from './batch-encoder.js';
import { RecordBytes } from './record-bytes.js';

const AVRO_PREFIX = 'avro:';

/**
 * Identifies an encoding of records: `ndjson`, or `avro:` and the schema. Two formats whose keys
 * are equal read each other's records' bytes (the Avro codec applies to whole blocks, not here).
 */
export function encodingKey(encoding: FormatEncoding): string {
  return encoding.kind === 'ndjson' ? 'ndjson' : `${AVRO_PREFIX}${encoding.schemaJson}`;
}

/**
 * Why an encoded record's bytes cannot be written as one record, or undefined: the range must lie
 * within its buffer and hold at least one byte, and an NDJSON record must end with its newline.
 * (A sink cannot check more without decoding: an Avro datum's bytes are trusted to be one datum.)
 */
export function badRange(record: EncodedRecord): string | undefined {
  const { data, start, end } = record;
  if (!(Number.isSafeInteger(start) && Number.isSafeInteger(end) && start >= 0 && start < end && end <= data.length)) {
    return `its bytes [${start}, ${end}) are not a non-empty range of its ${data.length}-byte buffer`;
  }
  if (record.encoding === 'ndjson' && data[end - 1] !== 0x0a) return 'its NDJSON line does not end with a newline';
  return undefined;
}

/** One record already encoded in a sink's format, and its event time: see the module comment. */
export class EncodedRecord {
  constructor(
    /** The {@link encodingKey} of the format the bytes are in. */
    readonly encoding: string,
    readonly data: Buffer,
    readonly start: number,
    readonly end: number,
    /** Event time, epoch milliseconds, which places the record in its partition; undefined when it has none. */
    readonly eventTime: number | undefined,
  ) {}

  get byteLength(): number {
    return this.end - this.start;
  }

  /** For error output, as JSON text: an NDJSON line as it is, an Avro datum decoded. */
  toString(): string {
    if (!this.encoding.startsWith(AVRO_PREFIX)) return this.data.toString('utf8', this.start, this.end).trimEnd();
    try {
      return JSON.stringify(avroTypeOf(this.encoding.slice(AVRO_PREFIX.length)).fromBuffer(this.data.subarray(this.start, this.end)));
    } catch (error) {
      return `<${this.byteLength} bytes of Avro that do not decode: ${(error as Error).message}>`;
    }
  }

  toJSON(): string {
    return this.toString();
  }
}

/**
 * Encodes records one after another into one buffer, in a format's encoding: what a bolt
 * upstream of a sink uses to make {@link EncodedRecord}s for a batch. The buffer is reused batch
 * after batch; {@link take} copies the bytes out.
 */
export class RecordBytesEncoder {
  /** The {@link encodingKey} of what this encoder writes. */
  readonly key: string;
  readonly #type: avro.Type | undefined;
  readonly #bytes = new RecordBytes(256 * 1024);

  constructor(encoding: FormatEncoding) {
    this.key = encodingKey(encoding);
    this.#type = encoding.kind === 'avro' ? avroTypeOf(encoding.schemaJson) : undefined;
  }

  /** Where the next record starts: the end of the last one. */
  get end(): number {
    return this.#bytes.length;
  }

  /** Encodes one record after the last. Throws, and adds nothing, when it does not fit the encoding. */
  add(record: unknown): void {
    if (this.#type === undefined) this.#bytes.addJsonLine(record);
    else this.#bytes.addAvro(this.#type, record);
  }

  /** The bytes encoded since the last take, in a buffer of their own; the encoder starts again. */
  take(): Buffer {
    return this.#bytes.take();
  }
}

// Between workers a record carries only its own bytes, not the batch buffer it shares.
registerWireType({
  Class: EncodedRecord,
  type: 17,
  write: (r: EncodedRecord) => [r.encoding, r.data.subarray(r.start, r.end), r.eventTime ?? null] as const,
  read: ([encoding, data, eventTime]: readonly [string, Buffer, number | null]) => new EncodedRecord(encoding, data, 0, data.length, eventTime ?? undefined),
});
