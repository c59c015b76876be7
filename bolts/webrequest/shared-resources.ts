/**
 * Resources shared by the tasks of a process (a salt store's Redis connection, a thread pool),
 * counted by users: the first task to ask creates one, the last to release it closes it.
 */

/** Something that can be closed once nobody uses it. */
export interface Closeable {
  close(): Promise<void>;
}

/** One resource per key, shared by every task of this process that asks for that key. */
export class SharedResources<T extends Closeable> {
  readonly #entries = new Map<string, { resource: T; users: number }>();

  /** The resource of `key`, created with `create` when there is none; counts one more user. */
  acquire(key: string, create: () => T): T {
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      entry = { resource: create(), users: 0 };
      this.#entries.set(key, entry);
    }
    entry.users++;
    return entry.resource;
  }

  /** One user fewer; the last one closes the resource. Releasing an unknown key does nothing. */
  async release(key: string): Promise<void> {
    const entry = this.#entries.get(key);
    if (entry === undefined || --entry.users > 0) return;
    this.#entries.delete(key);
    await entry.resource.close();
  }

  /** Keys with a live resource, for tests. */
  get size(): number {
    return this.#entries.size;
  }
}
