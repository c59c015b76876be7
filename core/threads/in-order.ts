/**
 * Work that finishes out of order, delivered in the order it was started: a bolt that gives
 * batches to threads emits each batch's results only once every batch before it has been
 * emitted, so its outputs keep their input order. It also bounds the work in flight, for
 * backpressure: `execute` waits on {@link InOrder.below} before it starts more.
 */

/** How one piece of work ended. */
export type Outcome<R> = { readonly ok: true; readonly value: R } | { readonly ok: false; readonly error: unknown };

interface Entry<T, R> {
  readonly item: T;
  outcome?: Outcome<R>;
}

export class InOrder<T, R> {
  readonly #entries: Entry<T, R>[] = [];
  readonly #deliver: (item: T, outcome: Outcome<R>) => void;
  #waiters: { ready: () => boolean; resolve: () => void }[] = [];

  /** @param deliver called with each item and its outcome, in the order the items were added */
  constructor(deliver: (item: T, outcome: Outcome<R>) => void) {
    this.#deliver = deliver;
  }

  /** Items added and not yet delivered. */
  get size(): number {
    return this.#entries.length;
  }

  /** Adds `item`, whose outcome `work` settles; delivered after every item added before it. */
  add(item: T, work: Promise<R>): void {
    const entry: Entry<T, R> = { item };
    this.#entries.push(entry);
    work.then(
      (value) => this.#settle(entry, { ok: true, value }),
      (error: unknown) => this.#settle(entry, { ok: false, error }),
    );
  }

  /** Resolves once fewer than `n` items wait to be delivered. */
  below(n: number): Promise<void> {
    return this.#until(() => this.#entries.length < n);
  }

  /** Resolves once every item added so far is delivered. */
  drained(): Promise<void> {
    return this.#until(() => this.#entries.length === 0);
  }

  #settle(entry: Entry<T, R>, outcome: Outcome<R>): void {
    entry.outcome = outcome;
    while (this.#entries.length > 0 && this.#entries[0]!.outcome !== undefined) {
      const next = this.#entries.shift()!;
      this.#deliver(next.item, next.outcome!);
    }
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.ready()) return true;
      w.resolve();
      return false;
    });
  }

  #until(ready: () => boolean): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ ready, resolve }));
  }
}
