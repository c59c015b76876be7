/**
 * Conditions on a runtime's state that its lifecycle waits for (queues empty, every tree
 * acked), checked after each scheduling round rather than polled on a timer.
 */
export class Conditions {
  #waiters: { check: () => boolean; resolve: (ok: boolean) => void }[] = [];

  get waiting(): boolean {
    return this.#waiters.length > 0;
  }

  /** Resolves true once `check` holds, or with `check()` at `deadline` (performance.now() ms). */
  waitFor(check: () => boolean, deadline: number, wake: () => void): Promise<boolean> {
    if (check()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer =
        deadline === Infinity
          ? undefined
          : setTimeout(() => {
              this.#waiters = this.#waiters.filter((w) => w !== waiter);
              resolve(check());
            }, Math.max(0, deadline - performance.now()));
      const waiter = {
        check,
        resolve: (ok: boolean) => {
          clearTimeout(timer);
          resolve(ok);
        },
      };
      this.#waiters.push(waiter);
      wake();
    });
  }

  /** Resolves every waiter whose condition now holds. */
  check(): void {
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.check()) return true;
      w.resolve(true);
      return false;
    });
  }

  /** Resolves every waiter false (the runtime stopped). */
  abandon(): void {
    for (const w of this.#waiters) w.resolve(false);
    this.#waiters = [];
  }
}
