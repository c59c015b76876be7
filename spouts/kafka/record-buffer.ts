/**
 * The bounded buffer between kafkajs's fetches and `nextTuple`: records of every partition in
 * arrival order. The spout stops taking records (and pauses fetching) when it is full, so it
 * holds at most `capacity` records.
 */
import type { PartitionState } from './partition-state.js';
import type { SourceMessage } from './source.js';

export interface BufferedRecord {
  readonly partition: PartitionState;
  readonly message: SourceMessage;
}

export class RecordBuffer {
  readonly capacity: number;
  /** Fetching resumes once the buffer drains to this size. */
  readonly lowWater: number;
  #items: BufferedRecord[] = [];
  #head = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.lowWater = Math.floor(capacity / 2);
  }

  get size(): number {
    return this.#items.length - this.#head;
  }

  get full(): boolean {
    return this.size >= this.capacity;
  }

  push(record: BufferedRecord): void {
    this.#items.push(record);
    record.partition.buffered++;
  }

  shift(): BufferedRecord | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const record = this.#items[this.#head]!;
    this.#items[this.#head++] = undefined as unknown as BufferedRecord;
    record.partition.buffered--;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return record;
  }

  /** Drops the records of `partition` (revoked); returns how many. */
  removePartition(partition: PartitionState): number {
    const kept = this.#items.slice(this.#head).filter((r) => r.partition !== partition);
    const removed = this.size - kept.length;
    this.#items = kept;
    this.#head = 0;
    partition.buffered = 0;
    return removed;
  }
}
