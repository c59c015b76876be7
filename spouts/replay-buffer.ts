/**
 * What a replayable spout keeps for the tuples it has in flight: their values until acked, the
 * ones to emit again after a fail, and, once a tuple has failed more than `maxRetries` times, the
 * error record to send on the `errors` stream instead. Memory is bounded by maxSpoutPending.
 *
 * "Given up" means written somewhere: a given-up record is emitted to `errors` under its own
 * message id and stays here until that emit is acked (the errors output committed it). If the
 * errors output fails it, it is sent there again: it is never dropped. A failure caused by the
 * storage (a `SQUALL_ERR_STORAGE_*` code: a full disk) is not the record's fault and does not
 * count as an attempt.
 */
import { type FailReason, isStorageFaultCode } from '../core/index.js';

/** A tuple that will not be replayed again: its value and why, for the `errors` stream. */
export interface GivenUp<T> {
  readonly value: T;
  readonly reason: string;
}

interface Pending<T> {
  readonly value: T;
  attempts: number;
  givenUp?: GivenUp<T>;
}

/** A tuple to emit again: to its stream, or, once given up, to `errors`. */
export interface Replay<T> {
  readonly id: number;
  readonly value: T;
  /** Set when the tuple goes to `errors`: emit its error record under the same id. */
  readonly givenUp?: GivenUp<T>;
}

export class ReplayBuffer<T> {
  readonly #maxRetries: number;
  readonly #pending = new Map<number, Pending<T>>();
  readonly #replays: number[] = [];
  #givenUp = 0;

  /** @param maxRetries times a failed tuple is emitted again before it is given up */
  constructor(maxRetries: number) {
    this.#maxRetries = maxRetries;
  }

  /** Remembers an emitted tuple until it is acked. */
  track(id: number, value: T): void {
    this.#pending.set(id, { value, attempts: 0 });
  }

  /** The tuple, or its error record, is written: forget it. */
  ack(id: number): void {
    this.#pending.delete(id);
  }

  /**
   * Queues a failed tuple for replay, or returns it as given up after its last retry: emit it
   * to `errors` under the same id. A given-up record whose errors emit failed is queued again.
   */
  fail(id: number, reason: FailReason): GivenUp<T> | undefined {
    const pending = this.#pending.get(id);
    if (pending === undefined) return undefined;
    if (pending.givenUp !== undefined || isStorageFaultCode(reason.code)) {
      this.#replays.push(id);
      return undefined;
    }
    pending.attempts++;
    if (pending.attempts <= this.#maxRetries) {
      this.#replays.push(id);
      return undefined;
    }
    this.#givenUp++;
    pending.givenUp = { value: pending.value, reason: `${reason.kind} in '${reason.component}' after ${pending.attempts} attempts: ${reason.message}` };
    return pending.givenUp;
  }

  /** The next tuple to emit again, if any. */
  nextReplay(): Replay<T> | undefined {
    for (let id = this.#replays.shift(); id !== undefined; id = this.#replays.shift()) {
      const pending = this.#pending.get(id);
      if (pending !== undefined) return pending.givenUp === undefined ? { id, value: pending.value } : { id, value: pending.value, givenUp: pending.givenUp };
    }
    return undefined;
  }

  get replaysWaiting(): boolean {
    return this.#replays.length > 0;
  }

  /** Records given up so far (sent to errors), and records not written anywhere yet. */
  counts(): { givenUp: number; unwritten: number } {
    return { givenUp: this.#givenUp, unwritten: this.#pending.size };
  }
}
