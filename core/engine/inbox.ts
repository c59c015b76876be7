/**
 * An executor's bounded input queue. When it reaches capacity, every executor that feeds it
 * is throttled (its `blockedBy` count goes up) until it drains to half; producers never block
 * the event loop, they are simply not run. An execute may emit past capacity (a bolt that
 * splits one tuple into many), so the bound is capacity plus one execute's output.
 */
import type { TupleImpl } from './tuple-impl.js';

/** Something that can be throttled by a full queue downstream. */
export interface Throttleable {
  blockedBy: number;
}

export class Inbox {
  readonly capacity: number;
  readonly #lowWater: number;
  #buffer: (TupleImpl | undefined)[];
  #head = 0;
  #size = 0;
  #overHigh = false;
  #producers: Throttleable[] = [];
  /** Called when the inbox drops below its low-water mark after being full. */
  onDrained: () => void = () => {};
  /** Called when a tuple arrives in an empty inbox. */
  onArrival: () => void = () => {};
  /** The highest size ever reached, for tests and metrics. */
  highWater = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.#lowWater = Math.floor(capacity / 2);
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.#buffer = new Array(size);
  }

  get size(): number {
    return this.#size;
  }

  /** The fraction of capacity in use, for load-aware shuffle. */
  load(): number {
    return this.#size / this.capacity;
  }

  addProducer(p: Throttleable): void {
    this.#producers.push(p);
    if (this.#overHigh) p.blockedBy++;
  }

  push(tuple: TupleImpl): void {
    if (this.#size === this.#buffer.length) this.#grow();
    this.#buffer[(this.#head + this.#size) & (this.#buffer.length - 1)] = tuple;
    this.#size++;
    if (this.#size > this.highWater) this.highWater = this.#size;
    if (this.#size >= this.capacity && !this.#overHigh) {
      this.#overHigh = true;
      for (const p of this.#producers) p.blockedBy++;
    }
    if (this.#size === 1) this.onArrival();
  }

  shift(): TupleImpl | undefined {
    if (this.#size === 0) return undefined;
    const tuple = this.#buffer[this.#head];
    this.#buffer[this.#head] = undefined;
    this.#head = (this.#head + 1) & (this.#buffer.length - 1);
    this.#size--;
    if (this.#overHigh && this.#size <= this.#lowWater) {
      this.#overHigh = false;
      for (const p of this.#producers) p.blockedBy--;
      this.onDrained();
    }
    return tuple;
  }

  /** Empties the queue, returning what it held (for a forced stop). */
  drain(): TupleImpl[] {
    const out: TupleImpl[] = [];
    for (let t = this.shift(); t !== undefined; t = this.shift()) out.push(t);
    return out;
  }

  #grow(): void {
    const old = this.#buffer;
    const next = new Array<TupleImpl | undefined>(old.length * 2);
    for (let i = 0; i < this.#size; i++) next[i] = old[(this.#head + i) & (old.length - 1)];
    this.#buffer = next;
    this.#head = 0;
  }
}
