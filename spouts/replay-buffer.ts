/**
 * What a replayable spout keeps for the tuples it has in flight: their values until acked, the
 * ones to emit again after a fail, and, once a tuple has failed more than `maxRetries` times, the
 * error record to send on the `errors` stream instead. Memory is bounded by maxSpoutPending.
 */
import type { FailReason } from '../core/index.js';

interface Pending<T> {
  readonly value: T;
  attempts: number;
}

/** A tuple that will not be replayed again: its value and why, for the `errors` stream. */
export interface GivenUp<T> {
  readonly value: T;
  readonly reason: string;
}

export class ReplayBuffer<T> {
  readonly #maxRetries: number;
  readonly #pending = new Map<number, Pending<T>>();
  readonly #replays: number[] = [];

  /** @param maxRetries times a failed tuple is emitted again before it is given up */
  constructor(maxRetries: number) {
    this.#maxRetries = maxRetries;
  }

  /** Remembers an emitted tuple until it is acked. */
  track(id: number, value: T): void {
    this.#pending.set(id, { value, attempts: 0 });
  }

  ack(id: number): void {
    this.#pending.delete(id);
  }

  /** Queues a failed tuple for replay, or returns it as given up after its last retry. */
  fail(id: number, reason: FailReason): GivenUp<T> | undefined {
    const pending = this.#pending.get(id);
    if (pending === undefined) return undefined;
    pending.attempts++;
    if (pending.attempts <= this.#maxRetries) {
      this.#replays.push(id);
      return undefined;
    }
    this.#pending.delete(id);
    return { value: pending.value, reason: `${reason.kind} in '${reason.component}' after ${pending.attempts} attempts: ${reason.message}` };
  }

  /** The next tuple to emit again, if any. */
  nextReplay(): { id: number; value: T } | undefined {
    const id = this.#replays.shift();
    return id === undefined ? undefined : { id, value: this.#pending.get(id)!.value };
  }

  get replaysWaiting(): boolean {
    return this.#replays.length > 0;
  }
}
