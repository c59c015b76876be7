/**
 * The data-loss check Wikimedia ran on its own pipeline: per cache host and hour, how many of the
 * host's sequence numbers arrived, how many were expected, how many were duplicates.
 *
 * Distinct sequence numbers are tracked in a sparse bitset of 64 Ki-bit chunks, so a host-hour of
 * millions of records costs about one bit per sequence number, and out-of-order or far-apart
 * numbers cost no more than the chunks they touch. Accumulators merge, so tasks can count apart.
 */
import { HOUR_MS } from './event-time.js';

const CHUNK_BITS = 65_536;
const CHUNK_WORDS = CHUNK_BITS / 32;

/** The statistics of one host and hour, per the spec. */
export interface SequenceStatsRow {
  hostname: string;
  /** The hour's start, in epoch milliseconds (UTC). */
  hour_start: number;
  min_sequence: number;
  max_sequence: number;
  /** Records seen, duplicates included. */
  count_actual: number;
  /** `max − min + 1`. */
  count_expected: number;
  /** Distinct sequence numbers seen. */
  count_distinct: number;
  /** `expected − actual`. */
  count_different: number;
  /** `actual − distinct`. */
  count_duplicate: number;
  /** `different + duplicate`: sequence numbers that never arrived. */
  count_lost: number;
  /** `lost / expected × 100`. */
  percent_lost: number;
  /** Records whose `dt` was `-`. */
  count_incomplete: number;
}

function popcount32(v: number): number {
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** The running counts of one host and hour. */
class HostHour {
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  actual = 0;
  distinct = 0;
  incomplete = 0;
  readonly chunks = new Map<number, Uint32Array>();

  add(sequence: number, incomplete: boolean): void {
    this.actual++;
    if (incomplete) this.incomplete++;
    if (sequence < this.min) this.min = sequence;
    if (sequence > this.max) this.max = sequence;
    const chunkIndex = Math.floor(sequence / CHUNK_BITS);
    let chunk = this.chunks.get(chunkIndex);
    if (chunk === undefined) {
      chunk = new Uint32Array(CHUNK_WORDS);
      this.chunks.set(chunkIndex, chunk);
    }
    const bit = sequence - chunkIndex * CHUNK_BITS;
    const word = bit >>> 5;
    const mask = 1 << (bit & 31);
    if ((chunk[word]! & mask) === 0) {
      chunk[word]! |= mask;
      this.distinct++;
    }
  }

  merge(other: HostHour): void {
    this.actual += other.actual;
    this.incomplete += other.incomplete;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    for (const [index, theirs] of other.chunks) {
      const ours = this.chunks.get(index);
      if (ours === undefined) {
        this.chunks.set(index, theirs.slice());
        for (let w = 0; w < CHUNK_WORDS; w++) this.distinct += popcount32(theirs[w]!);
        continue;
      }
      for (let w = 0; w < CHUNK_WORDS; w++) {
        const added = theirs[w]! & ~ours[w]!;
        if (added !== 0) {
          ours[w]! |= added;
          this.distinct += popcount32(added);
        }
      }
    }
  }
}

/**
 * Accumulates sequence statistics per (host, hour). Feed it every record, including those whose
 * `dt` is `-` (pass the hour they were received in, and `incomplete = true`).
 */
export class SequenceStatsAccumulator {
  readonly #hosts = new Map<string, Map<number, HostHour>>();
  #lastHost = '';
  #lastHourStart = Number.NaN;
  #last: HostHour | undefined;

  /**
   * Count one record.
   * @param hostname the cache host that sent it
   * @param sequence its per-host sequence number, a non-negative integer
   * @param timeMs a time in the record's hour (its event time), in epoch milliseconds
   * @param incomplete true when its `dt` was `-`
   */
  add(hostname: string, sequence: number, timeMs: number, incomplete = false): void {
    if (!Number.isSafeInteger(sequence) || sequence < 0) {
      throw new RangeError('sequence must be a non-negative safe integer');
    }
    const hourStart = Math.floor(timeMs / HOUR_MS) * HOUR_MS;
    let stats = this.#last;
    if (stats === undefined || hostname !== this.#lastHost || hourStart !== this.#lastHourStart) {
      stats = this.#hostHour(hostname, hourStart);
      this.#last = stats;
      this.#lastHost = hostname;
      this.#lastHourStart = hourStart;
    }
    stats.add(sequence, incomplete);
  }

  /** Fold another accumulator's counts into this one. The other is left as it was. */
  merge(other: SequenceStatsAccumulator): this {
    for (const [hostname, hours] of other.#hosts) {
      for (const [hourStart, theirs] of hours) this.#hostHour(hostname, hourStart).merge(theirs);
    }
    return this;
  }

  /** The statistics of every host and hour seen, sorted by hour then host. */
  rows(): SequenceStatsRow[] {
    const rows: SequenceStatsRow[] = [];
    for (const [hostname, hours] of this.#hosts) {
      for (const [hourStart, s] of hours) rows.push(rowOf(hostname, hourStart, s));
    }
    return rows.sort((a, b) => a.hour_start - b.hour_start || (a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0));
  }

  /** Drop the counts of hours that started before `hourStartMs`, returning their rows. */
  flushBefore(hourStartMs: number): SequenceStatsRow[] {
    const flushed: SequenceStatsRow[] = [];
    for (const [hostname, hours] of this.#hosts) {
      for (const [hourStart, s] of hours) {
        if (hourStart < hourStartMs) {
          flushed.push(rowOf(hostname, hourStart, s));
          hours.delete(hourStart);
        }
      }
      if (hours.size === 0) this.#hosts.delete(hostname);
    }
    this.#last = undefined;
    return flushed.sort((a, b) => a.hour_start - b.hour_start || (a.hostname < b.hostname ? -1 : 1));
  }

  #hostHour(hostname: string, hourStart: number): HostHour {
    let hours = this.#hosts.get(hostname);
    if (hours === undefined) {
      hours = new Map();
      this.#hosts.set(hostname, hours);
    }
    let stats = hours.get(hourStart);
    if (stats === undefined) {
      stats = new HostHour();
      hours.set(hourStart, stats);
    }
    return stats;
  }
}

function rowOf(hostname: string, hourStart: number, s: HostHour): SequenceStatsRow {
  const expected = s.max - s.min + 1;
  const different = expected - s.actual;
  const duplicate = s.actual - s.distinct;
  const lost = different + duplicate;
  return {
    hostname,
    hour_start: hourStart,
    min_sequence: s.min,
    max_sequence: s.max,
    count_actual: s.actual,
    count_expected: expected,
    count_distinct: s.distinct,
    count_different: different,
    count_duplicate: duplicate,
    count_lost: lost,
    percent_lost: (lost / expected) * 100,
    count_incomplete: s.incomplete,
  };
}
