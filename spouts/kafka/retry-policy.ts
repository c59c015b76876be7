/**
 * Retries of failed records: an exponential backoff schedule (Storm's
 * `KafkaSpoutRetryExponentialBackoff`, without the jitter) and a queue of records waiting for
 * their retry time.
 */

/** The complete backoff settings; see `KafkaSpoutRetryOptions` for the defaults. */
export interface BackoffSettings {
  /** Delay before the first retry, in ms. */
  readonly initialDelayMs: number;
  /** Each further retry waits this many times longer. */
  readonly multiplier: number;
  /** No retry waits longer than this, in ms. */
  readonly maxDelayMs: number;
  /** Retries after the first failure; then the record goes to the `errors` stream. */
  readonly maxRetries: number;
}

/** When to retry a failed record, and when to give up. */
export class ExponentialBackoff {
  constructor(readonly settings: BackoffSettings) {}

  /** The delay before retry number `retry` (1 for the first), in ms. */
  delayMs(retry: number): number {
    const { initialDelayMs, multiplier, maxDelayMs } = this.settings;
    const delay = initialDelayMs * multiplier ** Math.max(0, retry - 1);
    return Math.min(Number.isFinite(delay) ? delay : maxDelayMs, maxDelayMs);
  }

  /** True when a record that has failed `failures` times gets another try. */
  canRetry(failures: number): boolean {
    return failures <= this.settings.maxRetries;
  }
}

/** Items waiting for a due time, taken in due order (ties in scheduling order). */
export class RetryQueue<T> {
  #items: { item: T; dueAt: number }[] = [];

  get size(): number {
    return this.#items.length;
  }

  /** When the earliest item is due, or undefined when the queue is empty. */
  nextDueAt(): number | undefined {
    return this.#items[0]?.dueAt;
  }

  schedule(item: T, dueAt: number): void {
    const items = this.#items;
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (items[mid]!.dueAt <= dueAt) lo = mid + 1;
      else hi = mid;
    }
    items.splice(lo, 0, { item, dueAt });
  }

  /** Removes and returns up to `max` items due at `now`. */
  takeDue(now: number, max = Infinity): T[] {
    let n = 0;
    while (n < this.#items.length && n < max && this.#items[n]!.dueAt <= now) n++;
    return n === 0 ? [] : this.#items.splice(0, n).map((e) => e.item);
  }

  /** Drops every item for which `drop` is true; returns how many. */
  removeWhere(drop: (item: T) => boolean): number {
    const before = this.#items.length;
    this.#items = this.#items.filter((e) => !drop(e.item));
    return before - this.#items.length;
  }
}
