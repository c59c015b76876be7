/**
 * A small, nearly least-recently-used cache built from two generations of `Map`s: hits in the
 * young generation cost one `Map.get`, hits in the old one move the entry to the young, and when
 * the young generation fills up it becomes the old one and the old one is dropped. Entries used
 * within the last `max / 2` insertions always survive; at most `max` entries are held.
 */
export class LruCache<K, V> {
  readonly #half: number;
  #young = new Map<K, V>();
  #old = new Map<K, V>();

  /** @param max the most entries kept; at least 2 */
  constructor(max: number) {
    if (!Number.isInteger(max) || max < 2) {
      throw new RangeError(`LruCache max must be an integer of at least 2, got ${max}`);
    }
    this.#half = Math.floor(max / 2);
  }

  /** The number of entries held. */
  get size(): number {
    return this.#young.size + this.#old.size;
  }

  /** The value for `key`, marking it recently used; `undefined` when absent. */
  get(key: K): V | undefined {
    const young = this.#young.get(key);
    if (young !== undefined) return young;
    const old = this.#old.get(key);
    if (old !== undefined) {
      this.#old.delete(key);
      this.#promote(key, old);
    }
    return old;
  }

  /** Store `value` as recently used. */
  set(key: K, value: V): void {
    if (this.#young.has(key)) {
      this.#young.set(key, value);
      return;
    }
    this.#old.delete(key);
    this.#promote(key, value);
  }

  /** Forget every entry. */
  clear(): void {
    this.#young.clear();
    this.#old.clear();
  }

  #promote(key: K, value: V): void {
    if (this.#young.size >= this.#half) {
      this.#old = this.#young;
      this.#young = new Map();
    }
    this.#young.set(key, value);
  }
}
