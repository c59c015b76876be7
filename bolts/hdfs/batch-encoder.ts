/**
 * Encoding a batch of raw values at once, on the sink's thread or on a thread of its pool: each
 * value is decoded (JSON text or binary Avro), placed in its hour by its event time, and encoded
 * in the file format (Avro blocks, compressed; or NDJSON lines). Everything here is plain data in
 * and out, so a batch crosses to a worker thread as one buffer and comes back as a few.
 *
 * A value that cannot be decoded, has no usable event time or does not fit the schema comes back
 * as an error with its index and the reason; the rest of the batch is unaffected.
 */
import { isUtf8 } from 'node:buffer';
import avro from 'avsc';
import { type AvroCodecName, blockCompressor } from './avro-codecs.js';
import { AvroBlockBuilder } from './avro-block.js';
import { describeInvalid } from './avro-container-format.js';
import { HourlyPartitioner, type Partition } from './partitioner.js';

/** What the sink's input values hold: JSON text (or its UTF-8 bytes), or binary Avro of a schema. */
export type ValueEncoding = { readonly kind: 'json' } | { readonly kind: 'avro'; readonly schemaJson: string };

/** The output format of a batch, as plain data. */
export type FormatEncoding =
  | { readonly kind: 'ndjson' }
  | { readonly kind: 'avro'; readonly schemaJson: string; readonly codec: AvroCodecName; readonly deflateLevel: number; readonly blockBytes: number };

/** Everything a thread needs to encode batches for one sink. */
export interface BatchSpec {
  readonly input: ValueEncoding;
  readonly format: FormatEncoding;
  /** The event-time field of the hourly partitioner. */
  readonly timeField: string;
  /** The name of the record field, for error reasons. */
  readonly recordField: string;
  /**
   * Top-level fields whose values never reach the output: each is replaced by `-` (the
   * varnishkafka "no value"), for example `['ip', 'x_forwarded_for']`.
   */
  readonly maskFields?: readonly string[];
}

/** The value a masked field is given. */
export const MASKED_VALUE = '-';

/** One batch: the values concatenated, and where each ends. */
export interface BatchTask {
  readonly spec: BatchSpec;
  readonly data: Uint8Array;
  /** `ends[i]` is the end of value i in `data`; value i starts at `ends[i - 1]` (or 0). */
  readonly ends: Uint32Array;
}

/** The records of a batch that fall in one partition, encoded. */
export interface EncodedGroup {
  readonly partition: Partition;
  /** Indexes of the batch's values in this group, in order. */
  readonly indices: number[];
  readonly maxEventTime: number;
  /** Encoded chunks: whole Avro blocks (compressed data, framed by the writer), or NDJSON lines. */
  readonly chunks: Uint8Array[];
  /** Records in each chunk. */
  readonly counts: number[];
}

/** Why a value of the batch was not encoded. */
export interface BatchError {
  readonly index: number;
  readonly kind: 'bad_record' | 'bad_event_time';
  readonly reason: string;
}

export interface BatchResult {
  readonly groups: EncodedGroup[];
  readonly errors: BatchError[];
}

interface Compiled {
  readonly decode: (bytes: Buffer) => unknown;
  readonly partitioner: HourlyPartitioner;
  readonly avroType: avro.Type | undefined;
  /** An empty Avro block of the format (undefined for NDJSON): a spare one, or a new one. */
  readonly takeBlock: (() => AvroBlockBuilder) | undefined;
  /** Blocks of finished groups, reused by the next batches (encoding is synchronous). */
  readonly spareBlocks: AvroBlockBuilder[];
}

const compiledSpecs = new Map<string, Compiled>();
const types = new Map<string, avro.Type>();
const MAX_PREVIEW = 40;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const NEWLINE_BYTE = Buffer.from([NEWLINE]);

/** The avsc type of a schema's JSON text, parsed once per schema. */
export function avroTypeOf(schemaJson: string): avro.Type {
  let type = types.get(schemaJson);
  if (type === undefined) types.set(schemaJson, (type = avro.Type.forSchema(JSON.parse(schemaJson) as avro.Schema)));
  return type;
}

/** The same reasons as the Kafka spout's decoders, so an error reads the same wherever it was found. */
function decoderOf(input: ValueEncoding): (bytes: Buffer) => unknown {
  if (input.kind === 'json') {
    return (bytes) => {
      if (bytes.length === 0) throw new Error('empty message: JSON needs at least one byte');
      const text = bytes.toString('utf8');
      try {
        return JSON.parse(text);
      } catch (error) {
        const preview = text.length > MAX_PREVIEW ? `${text.slice(0, MAX_PREVIEW)}…` : text;
        throw new Error(`invalid JSON (${(error as Error).message}) in ${bytes.length} bytes starting ${JSON.stringify(preview)}`);
      }
    };
  }
  const type = avroTypeOf(input.schemaJson);
  const label = type.name ?? type.typeName;
  return (bytes) => {
    if (bytes.length === 0) throw new Error(`empty message: Avro (${label}) needs at least one byte`);
    try {
      return type.fromBuffer(bytes);
    } catch (error) {
      throw new Error(`invalid Avro for ${label} (${(error as Error).message}) in ${bytes.length} bytes`);
    }
  };
}

function compile(spec: BatchSpec): Compiled {
  const key = JSON.stringify(spec);
  let c = compiledSpecs.get(key);
  if (c === undefined) {
    const avroFormat = spec.format.kind === 'avro' ? spec.format : undefined;
    const avroType = avroFormat === undefined ? undefined : avroTypeOf(avroFormat.schemaJson);
    const spareBlocks: AvroBlockBuilder[] = [];
    const compress = avroFormat === undefined ? undefined : blockCompressor(avroFormat.codec, avroFormat.deflateLevel);
    c = {
      decode: decoderOf(spec.input),
      partitioner: new HourlyPartitioner({ timeField: spec.timeField }),
      avroType,
      takeBlock: avroType === undefined ? undefined : () => spareBlocks.pop() ?? new AvroBlockBuilder(avroType, avroFormat!.blockBytes, compress!),
      spareBlocks,
    };
    compiledSpecs.set(key, c);
  }
  return c;
}

function kindOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

/** Builds one group's chunks: Avro blocks of about `blockBytes`, or one chunk of NDJSON lines. */
class GroupBuilder {
  readonly indices: number[] = [];
  readonly chunks: Uint8Array[] = [];
  readonly counts: number[] = [];
  maxEventTime = -Infinity;
  #lines: Buffer[] = [];
  #lineBytes = 0;

  /** `block`: the empty Avro block records are encoded into; undefined for NDJSON lines. */
  constructor(
    readonly partition: Partition,
    readonly block: AvroBlockBuilder | undefined,
  ) {}

  /** Encodes a record into the group's Avro block. Throws, adding nothing, when it does not fit the schema. */
  addRecord(index: number, record: unknown, eventTime: number): void {
    this.block!.add(record);
    this.#added(index, eventTime);
  }

  /** Compresses the Avro block once it is full. */
  closeBlockIfFull(): void {
    if (this.block?.full === true) this.#closeBlock();
  }

  /** Adds an NDJSON line (without its newline). */
  addLine(index: number, line: Buffer, eventTime: number): void {
    this.#lines.push(line, NEWLINE_BYTE);
    this.#lineBytes += line.length + 1;
    this.#added(index, eventTime);
  }

  #added(index: number, eventTime: number): void {
    this.indices.push(index);
    if (eventTime > this.maxEventTime) this.maxEventTime = eventTime;
  }

  #closeBlock(): void {
    const block = this.block?.close();
    if (block === undefined) return;
    this.chunks.push(block.data);
    this.counts.push(block.count);
  }

  finish(): EncodedGroup {
    this.#closeBlock();
    if (this.#lines.length > 0) {
      this.chunks.push(Buffer.concat(this.#lines, this.#lineBytes));
      this.counts.push(this.#lines.length / 2);
    }
    return { partition: this.partition, indices: this.indices, maxEventTime: this.maxEventTime, chunks: this.chunks, counts: this.counts };
  }
}

/** Replaces the present values of `fields` by {@link MASKED_VALUE}. */
function mask(record: Record<string, unknown>, fields: readonly string[]): void {
  for (const f of fields) if (record[f] !== undefined) record[f] = MASKED_VALUE;
}

/** Decodes, places and encodes every value of a batch. Never throws for a bad value. */
export function encodeBatch(task: BatchTask): BatchResult {
  const { spec } = task;
  const c = compile(spec);
  const data = Buffer.from(task.data.buffer, task.data.byteOffset, task.data.byteLength);
  const groups = new Map<string, GroupBuilder>();
  const errors: BatchError[] = [];
  // With fields to mask, a line is always written re-encoded: its bytes may hold a masked value
  // the parsed record does not show (a duplicate key, say).
  const passThrough = spec.input.kind === 'json' && c.avroType === undefined && (spec.maskFields === undefined || spec.maskFields.length === 0);
  let start = 0;
  for (let i = 0; i < task.ends.length; i++) {
    const end = task.ends[i]!;
    const bytes = data.subarray(start, end);
    start = end;
    let group: GroupBuilder | undefined;
    try {
      const outcome = encodeOne(c, spec, bytes, passThrough);
      if ('reason' in outcome) {
        errors.push({ index: i, kind: outcome.kind, reason: outcome.reason });
        continue;
      }
      group = groups.get(outcome.partition.path);
      if (group === undefined) groups.set(outcome.partition.path, (group = new GroupBuilder(outcome.partition, c.takeBlock?.())));
      if (outcome.line !== undefined) {
        group.addLine(i, outcome.line, outcome.eventTime);
        continue;
      }
      try {
        group.addRecord(i, outcome.record, outcome.eventTime);
      } catch {
        const type = c.avroType!;
        errors.push({ index: i, kind: 'bad_record', reason: `record does not fit Avro schema ${type.name ?? type.typeName}: ${describeInvalid(type, outcome.record)}` });
        continue;
      }
    } catch (error) {
      // Input no decoder rejects can still break an encoder (JSON nested too deep to stringify).
      errors.push({ index: i, kind: 'bad_record', reason: `could not encode the record: ${(error as Error)?.message ?? String(error)}` });
      continue;
    }
    // Outside the record's try: a compressor that fails fails the whole batch, not this record.
    group.closeBlockIfFull();
  }
  // A group whose every record was rejected holds nothing to write.
  const filled = [...groups.values()].filter((g) => g.indices.length > 0);
  const result = { groups: filled.map((g) => g.finish()), errors };
  // Every block is closed (finished) or empty (a group with no record): ready for the next batch.
  for (const g of groups.values()) if (g.block !== undefined) c.spareBlocks.push(g.block);
  return result;
}

/** A value placed in its hour: its NDJSON line, or (for Avro, which its group encodes) the record. */
type Placed = { readonly record: unknown; readonly line: Buffer | undefined; readonly partition: Partition; readonly eventTime: number } | Omit<BatchError, 'index'>;

/** One value: decoded, masked, placed and (for NDJSON) encoded, or why not. */
function encodeOne(c: Compiled, spec: BatchSpec, bytes: Buffer, passThrough: boolean): Placed {
  let record: unknown;
  try {
    record = c.decode(bytes);
  } catch (error) {
    return { kind: 'bad_record', reason: (error as Error).message };
  }
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    return { kind: 'bad_record', reason: `field '${spec.recordField}' is ${kindOf(record)}: not a record object` };
  }
  if (spec.maskFields !== undefined) mask(record as Record<string, unknown>, spec.maskFields);
  const placed = c.partitioner.place(record);
  if ('error' in placed) return { kind: 'bad_event_time', reason: placed.error };
  let line: Buffer | undefined;
  if (c.avroType !== undefined) {
    line = undefined;
  } else if (passThrough && !bytes.includes(NEWLINE) && !bytes.includes(CARRIAGE_RETURN) && isUtf8(bytes)) {
    // Valid one-line UTF-8 JSON is written as it came: a pass-through keeps the producer's bytes.
    // (Hadoop's line reader also ends a line at a carriage return, so such a line is re-encoded.)
    line = bytes;
  } else {
    line = Buffer.from(JSON.stringify(record));
  }
  return { record, line, partition: placed.partition, eventTime: placed.eventTime };
}
