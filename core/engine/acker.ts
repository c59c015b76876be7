/**
 * Storm's acker. For each root (a spout tuple emitted with a message id) it keeps the XOR of
 * every edge id in the tuple tree; when the XOR is zero the tree is complete. Trees not complete
 * within the message timeout fail. Timeouts use generations: an entry made in generation g
 * expires when the sweep reaches g + buckets + 1, so the timeout lands between T and T·(1+1/buckets).
 */
import type { FailReason } from '../tuple.js';

/** Who hears that a root completed or failed: the spout executor owning the root's task. */
export interface RootOwner {
  rootAcked(task: number, msgId: unknown, startedAt: number): void;
  rootFailed(task: number, msgId: unknown, reason: FailReason): void;
}

interface Entry {
  owner: RootOwner;
  task: number;
  msgId: unknown;
  hi: number;
  lo: number;
  gen: number;
  startedAt: number;
}

const TIMEOUT_BUCKETS = 4;
/** Root ids stay small integers (V8 Smis) so the map stays fast; they wrap and skip live ids. */
const MAX_ROOT_ID = 0x3fffffff;

export class Acker {
  readonly #entries = new Map<number, Entry>();
  readonly #generations: number[][] = Array.from({ length: TIMEOUT_BUCKETS + 1 }, () => []);
  readonly #component: (task: number) => string;
  #gen = 0;
  #nextId = 1 + Math.floor(Math.random() * 1_000_000);

  /** @param component names the spout of a task, for timeout reasons. */
  constructor(component: (task: number) => string) {
    this.#component = component;
  }

  /** Roots in flight. */
  get pending(): number {
    return this.#entries.size;
  }

  /** Interval at which {@link sweep} must run for a given message timeout. */
  static sweepIntervalMs(messageTimeoutMs: number): number {
    return Math.max(1, messageTimeoutMs / TIMEOUT_BUCKETS);
  }

  /** Starts tracking a root whose first edges XOR to (hi, lo). Returns its id. */
  init(owner: RootOwner, task: number, msgId: unknown, startedAt: number): number {
    let id = this.#nextId;
    while (this.#entries.has(id)) id = id >= MAX_ROOT_ID ? 1 : id + 1;
    this.#nextId = id >= MAX_ROOT_ID ? 1 : id + 1;
    this.#entries.set(id, { owner, task, msgId, hi: 0, lo: 0, gen: this.#gen, startedAt });
    this.#generations[this.#gen % (TIMEOUT_BUCKETS + 1)]!.push(id);
    return id;
  }

  /** XORs (hi, lo) into a root; completes it when the XOR reaches zero. */
  ack(rootId: number, hi: number, lo: number): void {
    const e = this.#entries.get(rootId);
    if (e === undefined) return; // already timed out or failed
    e.hi ^= hi;
    e.lo ^= lo;
    if (e.hi === 0 && e.lo === 0) {
      this.#entries.delete(rootId);
      e.owner.rootAcked(e.task, e.msgId, e.startedAt);
    }
  }

  /** Fails a root's whole tree now. */
  fail(rootId: number, reason: FailReason): void {
    const e = this.#entries.get(rootId);
    if (e === undefined) return;
    this.#entries.delete(rootId);
    e.owner.rootFailed(e.task, e.msgId, reason);
  }

  /** Advances one generation and fails the roots that have outlived the timeout. */
  sweep(timeoutMs: number): number {
    this.#gen++;
    const bucket = this.#generations[this.#gen % (TIMEOUT_BUCKETS + 1)]!;
    const expiredGen = this.#gen - (TIMEOUT_BUCKETS + 1);
    let expired = 0;
    for (const id of bucket) {
      const e = this.#entries.get(id);
      if (e === undefined || e.gen !== expiredGen) continue;
      this.#entries.delete(id);
      expired++;
      e.owner.rootFailed(e.task, e.msgId, {
        kind: 'timeout',
        component: this.#component(e.task),
        task: e.task,
        message: `tuple tree not complete within ${timeoutMs} ms (messageTimeoutMs)`,
      });
    }
    bucket.length = 0;
    return expired;
  }

  /** Forgets every root without telling its owner: used only by a forced stop. */
  clear(): number {
    const n = this.#entries.size;
    this.#entries.clear();
    for (const g of this.#generations) g.length = 0;
    return n;
  }
}
