/**
 * A set of offsets kept as sorted, disjoint, non-adjacent inclusive ranges. Contiguous offsets,
 * the usual case, cost one range whatever their number; adding the next offset is O(1).
 */
export class OffsetRanges {
  #starts: number[] = [];
  #ends: number[] = [];
  #size = 0;

  /** A set holding the given `[first, last]` ranges. */
  static of(ranges: Iterable<readonly [number, number]>): OffsetRanges {
    const set = new OffsetRanges();
    for (const [a, b] of ranges) set.addRange(a, b);
    return set;
  }

  /** Offsets in the set. */
  get size(): number {
    return this.#size;
  }

  get isEmpty(): boolean {
    return this.#size === 0;
  }

  /** The lowest offset, or undefined when empty. */
  get min(): number | undefined {
    return this.#starts[0];
  }

  /** The highest offset, or undefined when empty. */
  get max(): number | undefined {
    return this.#ends[this.#ends.length - 1];
  }

  /** True when the set is one range (or empty). */
  get contiguous(): boolean {
    return this.#starts.length <= 1;
  }

  /** The index of the last range starting at or before `offset`, or -1. */
  #floor(offset: number): number {
    const starts = this.#starts;
    let lo = 0;
    let hi = starts.length - 1;
    if (hi >= 0 && starts[hi]! <= offset) return hi;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid]! <= offset) lo = mid + 1;
      else hi = mid - 1;
    }
    return hi;
  }

  has(offset: number): boolean {
    const i = this.#floor(offset);
    return i >= 0 && offset <= this.#ends[i]!;
  }

  /** Adds one offset. Returns false when it was already there. */
  add(offset: number): boolean {
    const n = this.#ends.length;
    if (n > 0 && this.#ends[n - 1] === offset - 1) {
      this.#ends[n - 1] = offset;
      this.#size++;
      return true;
    }
    if (this.has(offset)) return false;
    this.addRange(offset, offset);
    return true;
  }

  /** Adds every offset from `first` to `last`, inclusive. */
  addRange(first: number, last: number): void {
    if (last < first) return;
    const starts = this.#starts;
    const ends = this.#ends;
    // Ranges overlapping or adjacent to [first, last] are merged into it.
    let i = this.#floor(first);
    if (i < 0 || ends[i]! < first - 1) i++;
    let j = i;
    let start = first;
    let end = last;
    let removed = 0;
    while (j < starts.length && starts[j]! <= last + 1) {
      start = Math.min(start, starts[j]!);
      end = Math.max(end, ends[j]!);
      removed += ends[j]! - starts[j]! + 1;
      j++;
    }
    starts.splice(i, j - i, start);
    ends.splice(i, j - i, end);
    this.#size += end - start + 1 - removed;
  }

  /** Adds every offset of another set. */
  addAll(other: OffsetRanges): void {
    for (const [a, b] of other.ranges()) this.addRange(a, b);
  }

  /** The ranges, lowest first, as `[first, last]` pairs. */
  ranges(): Array<[number, number]> {
    return this.#starts.map((s, i) => [s, this.#ends[i]!]);
  }

  /** The lowest offset at or above `from` that is not in the set. */
  nextMissing(from: number): number {
    const i = this.#floor(from);
    return i >= 0 && from <= this.#ends[i]! ? this.#ends[i]! + 1 : from;
  }
}
