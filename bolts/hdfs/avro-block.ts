/**
 * One Avro container block being filled: records are encoded straight into a buffer that is
 * reused block after block (avsc's `Type#encode`), and the block is compressed when it closes.
 * No buffer per record and no concatenation: ~1.5 µs less per 1 KB record than `toBuffer`.
 */
import type avro from 'avsc';
import type { BlockCompressor } from './avro-codecs.js';
import { RecordBytes } from './record-bytes.js';

/** A closed block: its compressed data and how many records it holds. */
export interface AvroBlock {
  readonly data: Buffer;
  readonly count: number;
}

export class AvroBlockBuilder {
  readonly #bytes: RecordBytes;
  #count = 0;

  constructor(
    readonly type: avro.Type,
    /** Uncompressed bytes after which the block is {@link full}. */
    readonly blockBytes: number,
    readonly compress: BlockCompressor,
  ) {
    // A quarter over the block size leaves room for the record that fills it.
    this.#bytes = new RecordBytes(blockBytes + Math.ceil(blockBytes / 4) + 1024);
  }

  /** Uncompressed bytes in the block so far. */
  get size(): number {
    return this.#bytes.length;
  }

  get count(): number {
    return this.#count;
  }

  get full(): boolean {
    return this.#bytes.length >= this.blockBytes;
  }

  /** Encodes one record. Throws avsc's error, and keeps nothing of the record, when it does not fit the type. */
  add(record: unknown): void {
    this.#bytes.addAvro(this.type, record);
    this.#count++;
  }

  /** Appends one record's datum, already encoded in the block's type: the bytes `data[start, end)`. */
  addEncoded(data: Buffer, start: number, end: number): void {
    this.#bytes.addBytes(data, start, end);
    this.#count++;
  }

  /** Compresses and ends the block, and starts the next; undefined when it holds no record. */
  close(): AvroBlock | undefined {
    if (this.#count === 0) return undefined;
    const raw = this.#bytes.view();
    let data = this.compress(raw);
    // Without compression the data is the reused buffer itself: copy it out.
    if (data.buffer === raw.buffer) data = Buffer.from(data);
    const block = { data, count: this.#count };
    this.#bytes.clear();
    this.#count = 0;
    return block;
  }
}
