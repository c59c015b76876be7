/**
 * A small least-recently-used cache over a `Map`, whose insertion order is the recency order.
 */
export class LruCache<K, V> {
  readonly #max: number;
  readonly #map = new Map<K, V>();

  /** @param max the most entries kept; at least 1 */
  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError(`LruCache max must be a positive integer, got ${max}`);
    }
    this.#max = max;
  }

  /** The number of entries. */
  get size(): number {
    return this.#map.size;
  }

  /** The value for `key`, marking it most recently used; `undefined` when absent. */
  get(key: K): V | undefined {
    const map = this.#map;
    const value = map.get(key);
    if (value === undefined) return undefined;
    if (map.size > 1) {
      map.delete(key);
      map.set(key, value);
    }
    return value;
  }

  /** Store `value` as the most recently used, evicting the least recently used when full. */
  set(key: K, value: V): void {
    const map = this.#map;
    if (map.has(key)) map.delete(key);
    else if (map.size >= this.#max) map.delete(map.keys().next().value as K);
    map.set(key, value);
  }

  /** Forget every entry. */
  clear(): void {
    this.#map.clear();
  }
}
