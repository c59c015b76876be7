/**
 * Value formats: how a record's bytes become the tuple's `value`. A decoder throws a
 * {@link RecordDecodeError} with a reason a person can act on; the spout then sends the record
 * to the `errors` stream with that reason and its offset, and counts the offset as done.
 */
import type { Type } from 'avsc';
import { SquallError } from '../../core/index.js';
import { KafkaErrorCodes } from './errors.js';

/** Turns a record value into the tuple's `value`. A strategy, like storm-hdfs's `RecordFormat`. */
export interface RecordDecoder {
  /** Shown in logs and error reasons, such as `json` or `avro:WebRequest`. */
  readonly name: string;
  /** Decodes `bytes` (null for a record without a value). Throws {@link RecordDecodeError}. */
  decode(bytes: Buffer | null): unknown;
}

/** A value that could not be decoded. Its message is the reason written to the `errors` stream. */
export class RecordDecodeError extends SquallError {
  constructor(message: string, cause?: unknown) {
    super(KafkaErrorCodes.DECODE, message, { cause });
    this.name = 'RecordDecodeError';
  }
}

const MAX_PREVIEW = 40;

function requireBytes(bytes: Buffer | null, format: string): Buffer {
  if (bytes === null) throw new RecordDecodeError(`the record has no value (null): ${format} needs bytes`);
  if (bytes.length === 0) throw new RecordDecodeError(`empty message: ${format} needs at least one byte`);
  return bytes;
}

/** UTF-8 JSON. Empty and null values are errors. */
export const jsonDecoder: RecordDecoder = Object.freeze({
  name: 'json',
  decode(bytes: Buffer | null): unknown {
    const text = requireBytes(bytes, 'JSON').toString('utf8');
    try {
      return JSON.parse(text);
    } catch (error) {
      const preview = text.length > MAX_PREVIEW ? `${text.slice(0, MAX_PREVIEW)}…` : text;
      throw new RecordDecodeError(`invalid JSON (${(error as Error).message}) in ${bytes!.length} bytes starting ${JSON.stringify(preview)}`, error);
    }
  },
});

/** UTF-8 text. An empty value is the empty string; a null value stays null. */
export const stringDecoder: RecordDecoder = Object.freeze({
  name: 'string',
  decode: (bytes: Buffer | null): unknown => (bytes === null ? null : bytes.toString('utf8')),
});

/** The bytes as they are (a Buffer, or null). */
export const bufferDecoder: RecordDecoder = Object.freeze({
  name: 'buffer',
  decode: (bytes: Buffer | null): unknown => bytes,
});

/**
 * Avro binary encoding of one datum of `type` (no container header, no schema registry prefix).
 * Truncated buffers, trailing bytes, empty and null values are errors.
 */
export function avroDecoder(type: Type): RecordDecoder {
  const label = type.name ?? type.typeName;
  return Object.freeze({
    name: `avro:${label}`,
    decode(bytes: Buffer | null): unknown {
      const data = requireBytes(bytes, `Avro (${label})`);
      try {
        return type.fromBuffer(data);
      } catch (error) {
        throw new RecordDecodeError(`invalid Avro for ${label} (${(error as Error).message}) in ${data.length} bytes`, error);
      }
    },
  });
}

/** The reason to write to the `errors` stream for anything a decoder threw. */
export function decodeReasonOf(error: unknown, decoder: RecordDecoder): string {
  if (error instanceof RecordDecodeError) return error.message;
  return `the ${decoder.name} decoder failed: ${error instanceof Error ? error.message : String(error)}`;
}
