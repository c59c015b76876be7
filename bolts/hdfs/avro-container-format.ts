/**
 * Avro object container files (the format Hive's `STORED AS AVRO` reads), encoded with avsc's
 * types: a header with the schema, the codec and a random sync marker, then blocks of records,
 * each compressed with the codec and followed by the sync marker.
 *
 * @example
 * ```ts
 * const format = new AvroContainerFormat({ schema: webrequestSchema, codec: 'snappy' });
 * ```
 */
import { randomBytes } from 'node:crypto';
import avro from 'avsc';
import { HdfsErrorCodes, hdfsError } from './errors.js';
import { AvroBlockBuilder } from './avro-block.js';
import { type AvroCodecName, type BlockCompressor, blockCompressor } from './avro-codecs.js';
import type { FormatEncoding } from './batch-encoder.js';
import type { EncodedChunks, RecordFormat, RecordWriter } from './record-format.js';

const MAGIC = Buffer.from('Obj\x01', 'latin1');
const META_TYPE = avro.Type.forSchema({ type: 'map', values: 'bytes' });
const LONG_TYPE = avro.Type.forSchema('long');

/** Options of {@link AvroContainerFormat}. */
export interface AvroContainerOptions {
  /** The records' Avro schema (a schema object, JSON text, or an avsc `Type`). */
  readonly schema: avro.Schema | avro.Type | string;
  /** @default 'snappy' */
  readonly codec?: AvroCodecName;
  /** Deflate level, 1 (fastest) to 9 (smallest). @default 6 */
  readonly deflateLevel?: number;
  /** Uncompressed bytes per block before it is compressed and closed. @default 65536 */
  readonly blockBytes?: number;
}

/** The defaults, documented on {@link AvroContainerOptions}. */
export const DEFAULT_AVRO_CONTAINER_OPTIONS = Object.freeze({ codec: 'snappy' as AvroCodecName, deflateLevel: 6, blockBytes: 65_536 });

/** Why a record does not fit its type: the paths and values avsc rejects. */
export function describeInvalid(type: avro.Type, record: unknown): string {
  const problems: string[] = [];
  type.isValid(record, {
    errorHook: (path: string[], value: unknown) => {
      if (problems.length < 3) problems.push(`${path.join('.') || '(record)'}=${JSON.stringify(value) ?? String(value)}`.slice(0, 120));
    },
  });
  return problems.length > 0 ? `invalid fields: ${problems.join(', ')}` : 'record does not match the schema';
}

class AvroContainerWriter implements RecordWriter {
  readonly #type: avro.Type;
  readonly #block: AvroBlockBuilder;
  readonly #sync = randomBytes(16);
  #ready: Buffer[] = [];
  #readyBytes = 0;
  #taken = 0;
  records = 0;

  constructor(type: avro.Type, header: Buffer, compress: BlockCompressor, blockBytes: number) {
    this.#type = type;
    this.#block = new AvroBlockBuilder(type, blockBytes, compress);
    this.#push(header, this.#sync);
  }

  get bytes(): number {
    return this.#taken + this.#readyBytes + this.#block.size;
  }

  get readyBytes(): number {
    return this.#readyBytes;
  }

  write(record: unknown): void {
    try {
      this.#block.add(record);
    } catch (error) {
      throw hdfsError(HdfsErrorCodes.BAD_RECORD, `record does not fit Avro schema ${this.#type.name ?? this.#type.typeName}: ${describeInvalid(this.#type, record)}`, {
        cause: error,
      });
    }
    this.records++;
    if (this.#block.full) this.#closeBlock();
  }

  writeRecordBytes(data: Buffer, start: number, end: number): void {
    this.#block.addEncoded(data, start, end);
    this.records++;
    if (this.#block.full) this.#closeBlock();
  }

  writeEncoded(encoded: EncodedChunks): void {
    // Blocks encoded elsewhere come after the block being filled here, which closes first.
    this.#closeBlock();
    for (let i = 0; i < encoded.chunks.length; i++) {
      const data = encoded.chunks[i]!;
      const buffer = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      this.#push(LONG_TYPE.toBuffer(encoded.counts[i]!), LONG_TYPE.toBuffer(buffer.length), buffer, this.#sync);
      this.records += encoded.counts[i]!;
    }
  }

  take(): Buffer | undefined {
    if (this.#ready.length === 0) return undefined;
    const out = this.#ready.length === 1 ? this.#ready[0]! : Buffer.concat(this.#ready, this.#readyBytes);
    this.#taken += this.#readyBytes;
    this.#ready = [];
    this.#readyBytes = 0;
    return out;
  }

  end(): Buffer {
    this.#closeBlock();
    return this.take() ?? Buffer.alloc(0);
  }

  #closeBlock(): void {
    const block = this.#block.close();
    if (block !== undefined) this.#push(LONG_TYPE.toBuffer(block.count), LONG_TYPE.toBuffer(block.data.length), block.data, this.#sync);
  }

  #push(...parts: Buffer[]): void {
    for (const p of parts) {
      this.#ready.push(p);
      this.#readyBytes += p.length;
    }
  }
}

/** Writes Avro object container files with the `null`, `deflate` or `snappy` codec. */
export class AvroContainerFormat implements RecordFormat {
  readonly extension = '.avro';
  readonly name: string;
  readonly hiveStorage: string;
  readonly hiveColumns: readonly string[];
  /** The records' type. */
  readonly type: avro.Type;
  /** The schema as JSON text, as written into each file's header. */
  readonly schemaJson: string;
  /** The format as plain data, for the sink's batch encoder. */
  readonly encoding: FormatEncoding;
  readonly #codec: AvroCodecName;
  readonly #compress: BlockCompressor;
  readonly #blockBytes: number;

  constructor(options: AvroContainerOptions) {
    const o = { ...DEFAULT_AVRO_CONTAINER_OPTIONS, ...options };
    if (!Number.isInteger(o.blockBytes) || o.blockBytes < 1) {
      throw hdfsError(HdfsErrorCodes.INVALID_OPTIONS, `avro blockBytes is ${o.blockBytes}: use a whole number of bytes, e.g. 65536`);
    }
    const schema = typeof o.schema === 'string' ? (JSON.parse(o.schema) as avro.Schema) : o.schema;
    this.type = avro.Type.isType(schema) ? (schema as avro.Type) : avro.Type.forSchema(schema as avro.Schema);
    this.schemaJson = avro.Type.isType(schema) ? JSON.stringify(this.type.schema({ exportAttrs: true })) : JSON.stringify(schema);
    this.#codec = o.codec;
    this.#compress = blockCompressor(o.codec, o.deflateLevel);
    this.#blockBytes = o.blockBytes;
    this.name = `avro/${o.codec}`;
    this.encoding = { kind: 'avro', schemaJson: JSON.stringify(this.type.schema({ exportAttrs: true })), codec: o.codec, deflateLevel: o.deflateLevel, blockBytes: o.blockBytes };
    this.hiveColumns = Object.freeze(((this.type as { fields?: readonly { name: string }[] }).fields ?? []).map((f) => f.name));
    this.hiveStorage = `STORED AS AVRO\nTBLPROPERTIES ('avro.schema.literal'='${this.schemaJson.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}')`;
  }

  open(): RecordWriter {
    const meta = META_TYPE.toBuffer({ 'avro.schema': Buffer.from(this.schemaJson), 'avro.codec': Buffer.from(this.#codec) });
    return new AvroContainerWriter(this.type, Buffer.concat([MAGIC, meta]), this.#compress, this.#blockBytes);
  }
}
