/**
 * The offsets of one partition between Kafka and the topology: which were taken, which are done
 * (acked, or handed to the `errors` stream), and which offset may be committed. Only the
 * contiguous prefix of done offsets is committable: the next offset to commit is the lowest one
 * not yet done, so a crash replays everything that was not processed and nothing is lost.
 *
 * Offsets need not be contiguous (compaction and transaction markers leave gaps): the prefix is
 * over the offsets actually taken. Memory is proportional to the offsets not in the done prefix.
 */

/** Where a commit would put the partition: the next offset to read, and how many taken offsets lie below it. */
export interface CommitPoint {
  /** The offset to commit: the next one a restarted consumer reads. */
  readonly offset: number;
  /** Offsets taken below `offset`, counted from the start of this tracker. */
  readonly seq: number;
}

const COMPACT_AT = 1024;

export class OffsetTracker {
  /** Taken offsets from `#head` on are not in the done prefix, ascending. */
  #queue: number[] = [];
  #head = 0;
  /** Done offsets above the prefix, waiting for an earlier one. */
  readonly #done = new Set<number>();
  #taken = 0;
  #prefix = 0;
  #committedSeq = 0;
  #next: number | undefined;
  #committed: number | undefined;

  /** @param start the position consumption starts from, when known (a seek) */
  constructor(start?: number) {
    this.#next = start;
  }

  /** One past the last taken offset, or the position sought to: where reading continues. */
  get nextOffset(): number | undefined {
    return this.#next;
  }

  /** The last offset committed through this tracker. */
  get committedOffset(): number | undefined {
    return this.#committed;
  }

  /** Offsets taken and not yet committed: what `maxUncommittedOffsets` limits. */
  get uncommitted(): number {
    return this.#taken - this.#committedSeq;
  }

  /** Offsets taken and not done. */
  get inFlight(): number {
    return this.#taken - this.#prefix - this.#done.size;
  }

  /** Done offsets that the next commit would cover. */
  get committable(): number {
    return this.#prefix - this.#committedSeq;
  }

  /** Moves the read position, for a seek before anything was taken. */
  seek(offset: number): void {
    if (this.#taken > 0) throw new RangeError(`cannot seek to ${offset}: ${this.#taken} offsets were already taken`);
    this.#next = offset;
  }

  /** Records that `offset` was taken from Kafka. Offsets must increase. */
  track(offset: number): void {
    if (this.#next !== undefined && offset < this.#next) {
      throw new RangeError(`offset ${offset} is below the read position ${this.#next}: offsets must increase`);
    }
    this.#queue.push(offset);
    this.#taken++;
    this.#next = offset + 1;
  }

  /** True when `offset` was taken and is not done yet. */
  isInFlight(offset: number): boolean {
    const i = this.#indexOf(offset);
    return i >= 0 && !this.#done.has(offset);
  }

  /**
   * Marks `offset` done. Returns false, and changes nothing, when it was not in flight: never
   * taken, already done, or below the prefix.
   */
  done(offset: number): boolean {
    const q = this.#queue;
    if (this.#head < q.length && q[this.#head] === offset) {
      this.#head++;
      this.#prefix++;
      while (this.#head < q.length && this.#done.delete(q[this.#head]!)) {
        this.#head++;
        this.#prefix++;
      }
      this.#compact();
      return true;
    }
    if (this.#indexOf(offset) < 0 || this.#done.has(offset)) return false;
    this.#done.add(offset);
    return true;
  }

  /** Where the done prefix ends, or undefined while the read position is unknown. */
  commitPoint(): CommitPoint | undefined {
    if (this.#head < this.#queue.length) return { offset: this.#queue[this.#head]!, seq: this.#prefix };
    return this.#next === undefined ? undefined : { offset: this.#next, seq: this.#taken };
  }

  /** The commit point when it is ahead of the last commit; undefined when there is nothing new. */
  pendingCommit(): CommitPoint | undefined {
    const point = this.commitPoint();
    if (point === undefined || (this.#committed !== undefined && point.offset <= this.#committed)) return undefined;
    return point;
  }

  /** Records a successful commit of `point`. */
  committed(point: CommitPoint): void {
    if (this.#committed === undefined || point.offset > this.#committed) this.#committed = point.offset;
    if (point.seq > this.#committedSeq) this.#committedSeq = point.seq;
  }

  #indexOf(offset: number): number {
    const q = this.#queue;
    let lo = this.#head;
    let hi = q.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (q[mid]! < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo < q.length && q[lo] === offset ? lo : -1;
  }

  #compact(): void {
    if (this.#head >= COMPACT_AT && this.#head * 2 >= this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }
}
