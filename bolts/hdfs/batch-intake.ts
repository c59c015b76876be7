/**
 * Encoded input on its way into files: the sink's records that arrive still encoded (JSON or
 * Avro bytes) are gathered in a batch per source partition, and each full batch is sent to the
 * {@link BatchRunner}. Batches of a source may encode in parallel on several threads, but their
 * results are applied in the order the batches were sent, so a source's offsets reach its files
 * in order.
 */
import type { Tuple } from '../../core/index.js';
import type { BatchResult, BatchSpec } from './batch-encoder.js';
import type { BatchRunner } from './encoder-pool.js';

interface Sent {
  readonly batch: SourceBatch;
  done: Promise<void>;
}

/** The records of one source partition gathered for one batch. */
export class SourceBatch {
  readonly values: Buffer[] = [];
  readonly offsets: number[] = [];
  readonly tuples: Tuple[] = [];
  /** Replays of offsets this batch holds: acked or failed with them. */
  extras: Map<number, Tuple[]> | undefined;
  #bytes = 0;

  constructor(
    readonly key: string,
    readonly topic: string,
    readonly partition: number,
  ) {}

  get size(): number {
    return this.offsets.length;
  }

  add(value: Buffer, offset: number, tuple: Tuple): void {
    this.values.push(value);
    this.offsets.push(offset);
    this.tuples.push(tuple);
    this.#bytes += value.length;
  }

  /** Adds a replayed tuple to the record with its offset; false when the batch does not hold it. */
  holdReplay(offset: number, tuple: Tuple): boolean {
    if (!this.offsets.includes(offset)) return false;
    this.extras ??= new Map();
    const list = this.extras.get(offset);
    if (list === undefined) this.extras.set(offset, [tuple]);
    else list.push(tuple);
    return true;
  }

  /** Tuples waiting on this batch, replays included. */
  get held(): number {
    let n = this.tuples.length;
    if (this.extras !== undefined) for (const list of this.extras.values()) n += list.length;
    return n;
  }

  /**
   * The batch as one buffer and the end of each value in it. The buffer has its own memory (never
   * Node's shared pool), so it can be transferred to another thread.
   */
  pack(): { data: Buffer; ends: Uint32Array } {
    const ends = new Uint32Array(this.values.length);
    const data = Buffer.allocUnsafeSlow(this.#bytes);
    let end = 0;
    for (let i = 0; i < this.values.length; i++) {
      const value = this.values[i]!;
      value.copy(data, end);
      ends[i] = end += value.length;
    }
    return { data, ends };
  }
}

export interface BatchIntakeOptions {
  readonly runner: BatchRunner;
  readonly spec: BatchSpec;
  /** Records per batch. */
  readonly batchRecords: number;
  /** Takes a batch's result, in send order per source. */
  readonly apply: (batch: SourceBatch, result: BatchResult) => void;
  /** Takes a batch that could not be encoded at all (a thread died). */
  readonly fail: (batch: SourceBatch, error: unknown) => void;
}

export class BatchIntake {
  readonly #o: BatchIntakeOptions;
  readonly #filling = new Map<string, SourceBatch>();
  /** Sent batches not yet applied, in send order. */
  readonly #sent: Sent[] = [];
  /** The last sent batch of each source, which the next one applies after. */
  readonly #tails = new Map<string, Promise<void>>();
  #held = 0;

  constructor(options: BatchIntakeOptions) {
    this.#o = options;
  }

  /** Tuples in batches being filled or encoded. */
  get held(): number {
    return this.#held;
  }

  /** Batches sent and not yet applied. */
  get inFlight(): number {
    return this.#sent.length;
  }

  /** Adds a record to its source's batch, and sends the batch when it is full. */
  add(key: string, topic: string, partition: number, value: Buffer, offset: number, tuple: Tuple): void {
    let batch = this.#filling.get(key);
    if (batch === undefined) this.#filling.set(key, (batch = new SourceBatch(key, topic, partition)));
    batch.add(value, offset, tuple);
    this.#held++;
    if (batch.size >= this.#o.batchRecords) this.#send(batch);
  }

  /** Attaches a replay to a batch holding its offset; false when none does. */
  holdReplay(key: string, offset: number, tuple: Tuple): boolean {
    const held = this.#filling.get(key)?.holdReplay(offset, tuple) || this.#sent.some((s) => s.batch.key === key && s.batch.holdReplay(offset, tuple));
    if (held) this.#held++;
    return held;
  }

  /** Sends every batch being filled, however small. */
  sendAll(): void {
    for (const batch of [...this.#filling.values()]) this.#send(batch);
  }

  /** Resolves once the oldest sent batch is applied. */
  async oldest(): Promise<void> {
    await this.#sent[0]?.done;
  }

  /** Resolves once every batch sent so far is applied. */
  async drained(): Promise<void> {
    while (this.#sent.length > 0) await this.#sent[this.#sent.length - 1]!.done;
  }

  #send(batch: SourceBatch): void {
    this.#filling.delete(batch.key);
    const { data, ends } = batch.pack();
    const result = this.#o.runner.run({ spec: this.#o.spec, data, ends });
    const previous = this.#tails.get(batch.key) ?? Promise.resolve();
    const entry: Sent = { batch, done: Promise.resolve() };
    entry.done = previous
      .then(() => result)
      .then(
        (r) => this.#finish(entry, () => this.#o.apply(batch, r)),
        (error: unknown) => this.#finish(entry, () => this.#o.fail(batch, error)),
      );
    this.#sent.push(entry);
    this.#tails.set(batch.key, entry.done);
    void entry.done.then(
      () => {
        if (this.#tails.get(batch.key) === entry.done) this.#tails.delete(batch.key);
      },
      () => {},
    );
  }

  #finish(entry: Sent, hand: () => void): void {
    const i = this.#sent.indexOf(entry);
    if (i >= 0) this.#sent.splice(i, 1);
    this.#held -= entry.batch.held;
    try {
      hand();
    } catch (error) {
      // A bug, not bad input: fail the batch (tuples already in files are then held by them too,
      // and their replays are recognized), rather than leave its tuples hanging.
      this.#o.fail(entry.batch, error);
    }
  }
}
