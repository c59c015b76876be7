/**
 * Reading a tuple's record and source coordinates (topic, partition, offset) from the configured
 * input fields. Kafka offsets arrive as decimal strings (kafkajs) or numbers; both are accepted.
 */
import type { Tuple } from '../../core/index.js';
import { HdfsErrorCodes, hdfsError } from './errors.js';
import type { HdfsSinkFields } from './sink-options.js';

/** A record and where it came from. */
export interface SourceRecord {
  /** An object; with encoded input, its bytes. */
  readonly record: object;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** The lease it was read under; undefined for an unleased source. */
  readonly lease: string | undefined;
}

/** A tuple the sink cannot use, with what to send to the errors stream. */
export interface UnusableTuple {
  readonly error: string;
  readonly value: unknown;
  readonly origin: string;
}

function wholeNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value === 'bigint') return value >= 0n && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
  if (typeof value === 'string' && /^\d{1,16}$/.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return undefined;
}

/** Reads the four configured fields of each tuple. */
export class SourceCoordinatesReader {
  readonly #fields: Readonly<Required<HdfsSinkFields>>;
  readonly #component: string;
  readonly #encoded: boolean;
  readonly #indexes = new WeakMap<readonly string[], readonly [number, number, number, number, number]>();

  /** With `encoded`, records are bytes or text to decode (strings come back as UTF-8 bytes). */
  constructor(fields: Readonly<Required<HdfsSinkFields>>, component: string, encoded = false) {
    this.#fields = fields;
    this.#component = component;
    this.#encoded = encoded;
  }

  read(tuple: Tuple): SourceRecord | UnusableTuple {
    const [ri, ti, pi, oi, li] = this.#indexesOf(tuple);
    const record = tuple.values[ri];
    const leaseValue = li < 0 ? undefined : tuple.values[li];
    const lease = typeof leaseValue === 'string' ? leaseValue : undefined;
    const topic = tuple.values[ti];
    const partition = wholeNumber(tuple.values[pi]);
    const offset = wholeNumber(tuple.values[oi]);
    if (typeof topic === 'string' && topic !== '' && partition !== undefined && offset !== undefined) {
      // The common cases first, without building the origin they do not need: bytes of encoded
      // input, or a record object.
      if (this.#encoded ? Buffer.isBuffer(record) : record !== null && typeof record === 'object' && !Array.isArray(record)) return { record: record as object, topic, partition, offset, lease };
    }
    const origin = `${String(topic)}/${String(tuple.values[pi])}@${String(tuple.values[oi])}`;
    if (typeof topic !== 'string' || topic === '') return { error: `field '${this.#fields.topic}' is ${JSON.stringify(topic) ?? String(topic)}: not a topic name`, value: record, origin };
    if (partition === undefined) return { error: `field '${this.#fields.partition}' is ${String(tuple.values[pi])}: not a whole number`, value: record, origin };
    if (offset === undefined) return { error: `field '${this.#fields.offset}' is ${String(tuple.values[oi])}: not a whole number`, value: record, origin };
    if (this.#encoded) {
      if (typeof record === 'string') return { record: Buffer.from(record, 'utf8'), topic, partition, offset, lease };
      if (Buffer.isBuffer(record)) return { record, topic, partition, offset, lease };
      if (record instanceof Uint8Array) return { record: Buffer.from(record.buffer, record.byteOffset, record.byteLength), topic, partition, offset, lease };
      const what = record === null ? 'the record has no value (null)' : `field '${this.#fields.record}' is ${Array.isArray(record) ? 'an array' : typeof record}`;
      return { error: `${what}: the sink takes encoded records (bytes or text) here`, value: record, origin };
    }
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      return { error: `field '${this.#fields.record}' is ${record === null ? 'null' : Array.isArray(record) ? 'an array' : typeof record}: not a record object`, value: record, origin };
    }
    return { record, topic, partition, offset, lease };
  }

  #indexesOf(tuple: Tuple): readonly [number, number, number, number, number] {
    let idx = this.#indexes.get(tuple.fields);
    if (idx !== undefined) return idx;
    const f = this.#fields;
    const found = [f.record, f.topic, f.partition, f.offset].map((n) => tuple.fields.indexOf(n));
    const missing = [f.record, f.topic, f.partition, f.offset].filter((_, i) => found[i]! < 0);
    if (missing.length > 0) {
      throw hdfsError(
        HdfsErrorCodes.INVALID_OPTIONS,
        `HDFS sink '${this.#component}': stream '${tuple.sourceStream}' of '${tuple.sourceComponent}' has fields [${tuple.fields.join(', ')}], without ${missing.map((m) => `'${m}'`).join(', ')}: declare them upstream, or map the sink's \`fields\` option to the names it has`,
        { component: this.#component },
      );
    }
    // The lease is optional: -1 when the stream does not have it.
    idx = [...found, tuple.fields.indexOf(f.lease)] as unknown as [number, number, number, number, number];
    this.#indexes.set(tuple.fields, idx);
    return idx;
  }
}
