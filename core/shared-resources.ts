/**
 * Resources shared by the tasks of a process (a salt store's Redis connection, a thread pool),
 * counted by users: the first task to ask creates one, the last to release it closes it, at
 * once or, with `lingerMs`, once nobody has asked for it again in that time. A thread pool
 * lingers so that the next topology in the process (a restart, a rebalance, the next run of a
 * benchmark) finds its threads started and their code compiled.
 */

/** Something that can be closed once nobody uses it. */
export interface Closeable {
  close(): Promise<void>;
}

/** Options of {@link SharedResources}. */
export interface SharedResourcesOptions {
  /**
   * How long a resource without users stays open, in milliseconds, for a new user to take up.
   * The timer does not keep the process alive, so the resource must not either (Piscina's idle
   * threads do not). @default 0: closed when the last user releases it
   */
  readonly lingerMs?: number;
}

interface Entry<T> {
  readonly resource: T;
  users: number;
  lingering?: NodeJS.Timeout;
}

/** One resource per key, shared by every task of this process that asks for that key. */
export class SharedResources<T extends Closeable> {
  readonly #entries = new Map<string, Entry<T>>();
  readonly #lingerMs: number;

  constructor(options: SharedResourcesOptions = {}) {
    this.#lingerMs = options.lingerMs ?? 0;
  }

  /** The resource of `key`, created with `create` when there is none; counts one more user. */
  acquire(key: string, create: () => T): T {
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      entry = { resource: create(), users: 0 };
      this.#entries.set(key, entry);
    }
    clearTimeout(entry.lingering);
    entry.lingering = undefined;
    entry.users++;
    return entry.resource;
  }

  /**
   * One user fewer; the last one closes the resource (after `lingerMs` when set: the promise
   * then resolves at once). Releasing an unknown key does nothing.
   */
  async release(key: string): Promise<void> {
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.users === 0 || --entry.users > 0) return;
    if (this.#lingerMs === 0) return this.#close(key, entry);
    // Nobody waits for a lingering close: a failure to close is of no use to anyone, and must not
    // become an unhandled rejection.
    entry.lingering = setTimeout(() => this.#close(key, entry).catch(() => {}), this.#lingerMs);
    entry.lingering.unref();
  }

  async #close(key: string, entry: Entry<T>): Promise<void> {
    if (this.#entries.get(key) === entry) this.#entries.delete(key);
    await entry.resource.close();
  }

  /** Keys with a live resource (lingering ones included), for tests. */
  get size(): number {
    return this.#entries.size;
  }
}
