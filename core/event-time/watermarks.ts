/**
 * Watermarks: how far event time has progressed, per source partition and over a stream. A
 * source partition's watermark is the latest event time it sent (within the bounds: an outlier
 * never reaches it). The stream's low watermark is the lowest of its partitions' that are not
 * idle, so an hour closes on the slowest partition; it never goes back. An hour closes once the
 * low watermark is the allowed lateness past its end, and a record of a closed hour is late.
 */

/** One hour, in ms. */
export const HOUR_MS = 3_600_000;

/** A source's watermark and when (wall clock) it last moved or was confirmed. */
export interface SourceWatermark {
  readonly watermark: number;
  readonly seenAt: number;
}

/**
 * The low watermark of sources: the lowest of those seen within `idleTimeoutMs`. When every one
 * is idle, nothing holds the stream back: the highest. -Infinity with no source.
 */
export function lowWatermarkOf(sources: Iterable<SourceWatermark>, now: number, idleTimeoutMs: number): number {
  let low = Infinity;
  let high = -Infinity;
  for (const s of sources) {
    if (s.watermark > high) high = s.watermark;
    if (now - s.seenAt <= idleTimeoutMs && s.watermark < low) low = s.watermark;
  }
  return low === Infinity ? high : low;
}

/** Whether a span of event time ending at `end` (exclusive) is closed by `watermark`. */
export function isClosedBy(end: number, watermark: number, allowedLatenessMs: number): boolean {
  return end + allowedLatenessMs <= watermark;
}

/** The start of the first hour `watermark` leaves open: every hour before it is closed. -Infinity for no watermark. */
export function openHourOf(watermark: number, allowedLatenessMs: number): number {
  if (watermark === -Infinity) return -Infinity;
  return Math.floor((watermark - allowedLatenessMs) / HOUR_MS) * HOUR_MS;
}

/** The watermarks of a stream's source partitions (`topic/partition`), and its low watermark. */
export class PartitionWatermarks {
  readonly #idleTimeoutMs: number;
  readonly #sources = new Map<string, { watermark: number; seenAt: number }>();
  #low = -Infinity;

  constructor(idleTimeoutMs: number) {
    this.#idleTimeoutMs = idleTimeoutMs;
  }

  /** Notes a record's event time (one already within the bounds), read at wall-clock `now`. */
  observe(source: string, time: number, now: number): void {
    const s = this.#sources.get(source);
    if (s === undefined) this.#sources.set(source, { watermark: time, seenAt: now });
    else {
      if (time > s.watermark) s.watermark = time;
      s.seenAt = now;
    }
  }

  /**
   * A partition known to exist (it sent records before a restart) but not heard from yet: it
   * holds the low watermark back, as the slowest partition, until its first record or until it
   * has been idle `idleTimeoutMs`. Without it, the partitions read first after a restart would
   * close hours whose records the others have yet to replay.
   */
  expect(source: string, now: number): void {
    if (!this.#sources.has(source)) this.#sources.set(source, { watermark: -Infinity, seenAt: now });
  }

  /** How many partitions are seen or expected. */
  get size(): number {
    return this.#sources.size;
  }

  /** The partitions seen or expected. */
  sources(): string[] {
    return [...this.#sources.keys()];
  }

  /** A partition's watermark; undefined before its first record. */
  of(source: string): number | undefined {
    const watermark = this.#sources.get(source)?.watermark;
    return watermark === -Infinity ? undefined : watermark;
  }

  /** The low watermark at wall-clock `now`: it never goes back, even when a partition comes back from idle behind it. */
  low(now: number): number {
    const low = lowWatermarkOf(this.#sources.values(), now, this.#idleTimeoutMs);
    if (low > this.#low) this.#low = low;
    return this.#low;
  }
}

/**
 * The watermarks an output receives from the tasks upstream of it (in-band, after the records
 * they cover), merged: the lowest of every task's latest. It never goes back.
 */
export class UpstreamWatermarks {
  readonly #byTask = new Map<number, number>();
  #low = -Infinity;

  /** Notes task `task`'s watermark. */
  update(task: number, watermark: number): void {
    if (watermark > (this.#byTask.get(task) ?? -Infinity)) this.#byTask.set(task, watermark);
  }

  /** The lowest watermark of `tasks`; -Infinity while one of them has sent none. */
  low(tasks: readonly number[]): number {
    let low = Infinity;
    for (const t of tasks) low = Math.min(low, this.#byTask.get(t) ?? -Infinity);
    if (tasks.length > 0 && low > this.#low) this.#low = low;
    return this.#low;
  }
}
