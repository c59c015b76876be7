/**
 * Storm's acker. For each root (a spout tuple emitted with a message id) it keeps the XOR of
 * every edge id in the tuple tree; when the XOR is zero the tree is complete. Trees not complete
 * within the message timeout fail. Timeouts use generations: a root made in generation g
 * expires when the sweep reaches g + buckets + 1, so the timeout lands between T and T·(1+1/buckets).
 *
 * Roots live in a slab of typed arrays rather than a map of objects, so tracking a root
 * allocates nothing. A root id is its slot plus the slot's reuse stamp: a late ack for a root
 * that already timed out finds a different stamp and is ignored.
 */
import type { FailReason } from '../tuple.js';

/** Who hears that a root completed or failed: the spout task that emitted it. */
export interface RootOwner {
  rootAcked(task: number, msgId: unknown, startedAt: number): void;
  rootFailed(task: number, msgId: unknown, reason: FailReason): void;
}

const TIMEOUT_BUCKETS = 4;
const SLOT_BITS = 22;
const SLOT_MASK = (1 << SLOT_BITS) - 1;
const STAMP_MASK = 0xff;
const MAX_SLOTS = 1 << SLOT_BITS;

export class Acker {
  #capacity = 1024;
  #hi = new Int32Array(this.#capacity);
  #lo = new Int32Array(this.#capacity);
  #gen = new Int32Array(this.#capacity);
  #task = new Int32Array(this.#capacity);
  #stamp = new Int32Array(this.#capacity);
  #live = new Uint8Array(this.#capacity);
  #startedAt = new Float64Array(this.#capacity);
  #msgId: unknown[] = new Array(this.#capacity);
  #owner: (RootOwner | undefined)[] = new Array(this.#capacity);
  #free: number[] = [];
  #used = 0;
  #pending = 0;
  readonly #generations: number[][] = Array.from({ length: TIMEOUT_BUCKETS + 1 }, () => []);
  readonly #component: (task: number) => string;
  #generation = 0;

  /** @param component names the spout of a task, for timeout reasons. */
  constructor(component: (task: number) => string) {
    this.#component = component;
  }

  /** Roots in flight. */
  get pending(): number {
    return this.#pending;
  }

  /** Interval at which {@link sweep} must run for a given message timeout. */
  static sweepIntervalMs(messageTimeoutMs: number): number {
    return Math.max(1, messageTimeoutMs / TIMEOUT_BUCKETS);
  }

  /** Starts tracking a root with an empty XOR. Returns its id. */
  init(owner: RootOwner, task: number, msgId: unknown, startedAt: number): number {
    const slot = this.#free.length > 0 ? this.#free.pop()! : this.#newSlot();
    const stamp = (this.#stamp[slot]! + 1) & STAMP_MASK;
    this.#stamp[slot] = stamp;
    this.#hi[slot] = 0;
    this.#lo[slot] = 0;
    this.#gen[slot] = this.#generation;
    this.#task[slot] = task;
    this.#live[slot] = 1;
    this.#startedAt[slot] = startedAt;
    this.#msgId[slot] = msgId;
    this.#owner[slot] = owner;
    this.#pending++;
    const id = stamp * MAX_SLOTS + slot;
    this.#generations[this.#generation % (TIMEOUT_BUCKETS + 1)]!.push(id);
    return id;
  }

  /** XORs (hi, lo) into a root; completes it when the XOR reaches zero. */
  ack(rootId: number, hi: number, lo: number): void {
    const slot = this.#slotOf(rootId);
    if (slot < 0) return; // already timed out or failed
    const h = (this.#hi[slot]! ^= hi);
    const l = (this.#lo[slot]! ^= lo);
    if (h === 0 && l === 0) {
      const owner = this.#owner[slot]!;
      const msgId = this.#msgId[slot];
      const task = this.#task[slot]!;
      const startedAt = this.#startedAt[slot]!;
      this.#release(slot);
      owner.rootAcked(task, msgId, startedAt);
    }
  }

  /** Fails a root's whole tree now. */
  fail(rootId: number, reason: FailReason): void {
    const slot = this.#slotOf(rootId);
    if (slot < 0) return;
    const owner = this.#owner[slot]!;
    const msgId = this.#msgId[slot];
    const task = this.#task[slot]!;
    this.#release(slot);
    owner.rootFailed(task, msgId, reason);
  }

  /** Forgets one root without telling its owner: an emit the engine refused put no tree in flight. */
  discard(rootId: number): void {
    const slot = this.#slotOf(rootId);
    if (slot >= 0) this.#release(slot);
  }

  /** Advances one generation and fails the roots that have outlived the timeout. */
  sweep(timeoutMs: number): number {
    this.#generation++;
    const bucket = this.#generations[this.#generation % (TIMEOUT_BUCKETS + 1)]!;
    const expiredGen = this.#generation - (TIMEOUT_BUCKETS + 1);
    let expired = 0;
    for (const id of bucket) {
      const slot = this.#slotOf(id);
      if (slot < 0 || this.#gen[slot] !== expiredGen) continue;
      const task = this.#task[slot]!;
      expired++;
      this.fail(id, {
        kind: 'timeout',
        component: this.#component(task),
        task,
        message: `tuple tree not complete within ${timeoutMs} ms (messageTimeoutMs)`,
      });
    }
    bucket.length = 0;
    return expired;
  }

  /** Forgets every root without telling its owner: used only by a forced stop. */
  clear(): number {
    const n = this.#pending;
    for (let slot = 0; slot < this.#used; slot++) if (this.#live[slot] === 1) this.#release(slot);
    for (const g of this.#generations) g.length = 0;
    return n;
  }

  #slotOf(rootId: number): number {
    const slot = rootId & SLOT_MASK;
    if (slot >= this.#used || this.#live[slot] !== 1 || this.#stamp[slot] !== Math.floor(rootId / MAX_SLOTS)) return -1;
    return slot;
  }

  #release(slot: number): void {
    this.#live[slot] = 0;
    this.#msgId[slot] = undefined;
    this.#owner[slot] = undefined;
    this.#free.push(slot);
    this.#pending--;
  }

  #newSlot(): number {
    if (this.#used === this.#capacity) this.#grow();
    return this.#used++;
  }

  #grow(): void {
    if (this.#capacity >= MAX_SLOTS) throw new RangeError(`more than ${MAX_SLOTS} tuple trees in flight in one worker: lower maxSpoutPending`);
    const size = this.#capacity * 2;
    const grow = <T extends Int32Array | Uint8Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(size);
      b.set(a);
      return b;
    };
    this.#hi = grow(this.#hi, (n) => new Int32Array(n));
    this.#lo = grow(this.#lo, (n) => new Int32Array(n));
    this.#gen = grow(this.#gen, (n) => new Int32Array(n));
    this.#task = grow(this.#task, (n) => new Int32Array(n));
    this.#stamp = grow(this.#stamp, (n) => new Int32Array(n));
    this.#live = grow(this.#live, (n) => new Uint8Array(n));
    this.#startedAt = grow(this.#startedAt, (n) => new Float64Array(n));
    this.#msgId.length = size;
    this.#owner.length = size;
    this.#capacity = size;
  }
}
