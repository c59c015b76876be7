/**
 * The sequence numbers one run of a host's counter has delivered: a sparse bitset of 64 Ki-bit
 * chunks, so millions of numbers cost about one bit each, and numbers far apart (a counter started
 * at the Unix time × 10⁶) cost no more than the chunks they touch. Chunks wholly below a floor can
 * be dropped once nothing below it needs checking any more.
 */
const CHUNK_BITS = 65_536;
const CHUNK_WORDS = CHUNK_BITS / 32;

function popcount32(v: number): number {
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** A set of non-negative safe integers, stored as bits. */
export class SequenceBitset {
  readonly #chunks = new Map<number, Uint32Array>();
  #floor = 0;

  /** Adds `n`; true when it was not in the set before. */
  add(n: number): boolean {
    const index = Math.floor(n / CHUNK_BITS);
    let chunk = this.#chunks.get(index);
    if (chunk === undefined) {
      chunk = new Uint32Array(CHUNK_WORDS);
      this.#chunks.set(index, chunk);
    }
    const bit = n - index * CHUNK_BITS;
    const mask = 1 << (bit & 31);
    const word = bit >>> 5;
    if ((chunk[word]! & mask) !== 0) return false;
    chunk[word]! |= mask;
    return true;
  }

  has(n: number): boolean {
    const index = Math.floor(n / CHUNK_BITS);
    const chunk = this.#chunks.get(index);
    if (chunk === undefined) return false;
    const bit = n - index * CHUNK_BITS;
    return (chunk[bit >>> 5]! & (1 << (bit & 31))) !== 0;
  }

  /** How many numbers from `from` to `to` (both included) are in the set. */
  countBetween(from: number, to: number): number {
    let count = 0;
    for (const [index, chunk] of this.#chunks) {
      const base = index * CHUNK_BITS;
      if (base + CHUNK_BITS <= from || base > to) continue;
      if (base >= from && base + CHUNK_BITS - 1 <= to) {
        for (let w = 0; w < CHUNK_WORDS; w++) if (chunk[w] !== 0) count += popcount32(chunk[w]!);
        continue;
      }
      const lo = Math.max(from, base) - base;
      const hi = Math.min(to, base + CHUNK_BITS - 1) - base;
      for (let bit = lo; bit <= hi; bit++) if ((chunk[bit >>> 5]! & (1 << (bit & 31))) !== 0) count++;
    }
    return count;
  }

  /** Forgets the numbers below `floor` (rounded down to a chunk): {@link SequenceBitset.floor} rises. */
  dropBelow(floor: number): void {
    const aligned = Math.floor(floor / CHUNK_BITS) * CHUNK_BITS;
    if (aligned <= this.#floor) return;
    for (const index of this.#chunks.keys()) if ((index + 1) * CHUNK_BITS <= aligned) this.#chunks.delete(index);
    this.#floor = aligned;
  }

  /** Below this number the set cannot tell (those numbers were forgotten). */
  get floor(): number {
    return this.#floor;
  }

  /** The floor and the chunks as `[index, base64]` pairs, for a checkpoint. */
  toJSON(): { floor: number; chunks: [number, string][] } {
    return { floor: this.#floor, chunks: [...this.#chunks].map(([index, chunk]) => [index, Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('base64')]) };
  }

  /** The inverse of {@link SequenceBitset.toJSON}. */
  static fromJSON(saved: { readonly floor: number; readonly chunks: readonly (readonly [number, string])[] }): SequenceBitset {
    const set = new SequenceBitset();
    set.#floor = saved.floor;
    for (const [index, text] of saved.chunks) {
      const bytes = Buffer.from(text, 'base64');
      if (bytes.length !== CHUNK_WORDS * 4) throw new RangeError(`a sequence bitset chunk must be ${CHUNK_WORDS * 4} bytes, got ${bytes.length}`);
      const chunk = new Uint32Array(CHUNK_WORDS);
      new Uint8Array(chunk.buffer).set(bytes);
      set.#chunks.set(index, chunk);
    }
    return set;
  }
}
