/**
 * The source positions (topic/partition, offset) whose records an output has counted (the
 * sequence check, the pageview counts), as sorted, merged ranges per source. A record seen again at a counted position is a replay (a
 * failed tree, a restarted run re-reading its input) and is not counted twice; the same line
 * arriving at another position is a genuine duplicate. Ranges stay few because a source's
 * offsets are counted nearly in order.
 */
export class CountedOffsets {
  /** source → flat [start, end, start, end, …] (ends included), sorted and not touching. */
  readonly #ranges = new Map<string, number[]>();

  /** Marks (`source`, `offset`) counted; false when it already was. */
  add(source: string, offset: number): boolean {
    const r = this.#ranges.get(source);
    if (r === undefined) {
      this.#ranges.set(source, [offset, offset]);
      return true;
    }
    // Nearly always past the last range: check there first.
    const last = r.length - 2;
    if (offset > r[last + 1]!) {
      if (offset === r[last + 1]! + 1) r[last + 1] = offset;
      else r.push(offset, offset);
      return true;
    }
    const at = firstEndingAtOrAfter(r, offset) * 2;
    if (r[at]! <= offset) return false;
    const joinsBefore = at > 0 && r[at - 1]! === offset - 1;
    const joinsAfter = r[at]! === offset + 1;
    if (joinsBefore && joinsAfter) r.splice(at - 1, 2);
    else if (joinsBefore) r[at - 1] = offset;
    else if (joinsAfter) r[at] = offset;
    else r.splice(at, 0, offset, offset);
    return true;
  }

  /** Whether (`source`, `offset`) was counted. */
  has(source: string, offset: number): boolean {
    const r = this.#ranges.get(source);
    if (r === undefined) return false;
    const at = firstEndingAtOrAfter(r, offset) * 2;
    return at < r.length && r[at]! <= offset;
  }

  /** Every source's ranges, for a checkpoint. */
  toJSON(): Record<string, number[]> {
    return Object.fromEntries(this.#ranges);
  }

  /** The inverse of {@link CountedOffsets.toJSON}. */
  static fromJSON(saved: Readonly<Record<string, readonly number[]>>): CountedOffsets {
    const set = new CountedOffsets();
    for (const [source, ranges] of Object.entries(saved)) set.#ranges.set(source, [...ranges]);
    return set;
  }
}

/** The index of the first range of `r` whose end is at or past `offset` (the count of ranges when none is). */
function firstEndingAtOrAfter(r: readonly number[], offset: number): number {
  let lo = 0;
  let hi = r.length / 2;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (r[mid * 2 + 1]! < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
