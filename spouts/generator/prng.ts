/**
 * mulberry32: a tiny, fast, seedable 32-bit pseudo-random generator. Not for secrets; for
 * reproducible synthetic traffic.
 */
export class Mulberry32 {
  #state: number;

  /** @param seed any 32-bit integer; the same seed gives the same sequence */
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [min, max]. */
  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A uniformly chosen element. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** An element chosen by weight: `[item, weight]` pairs with positive weights. */
  weighted<T>(table: WeightedTable<T>): T {
    let r = this.next() * table.total;
    for (const [item, weight] of table.entries) {
      r -= weight;
      if (r < 0) return item;
    }
    return table.entries[table.entries.length - 1]![0];
  }
}

/** Items with weights, prepared for {@link Mulberry32.weighted}. */
export interface WeightedTable<T> {
  readonly entries: readonly (readonly [T, number])[];
  readonly total: number;
}

/** Prepare a weighted table. */
export function weightedTable<T>(entries: readonly (readonly [T, number])[]): WeightedTable<T> {
  return { entries, total: entries.reduce((sum, [, w]) => sum + w, 0) };
}
