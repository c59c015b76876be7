/**
 * Data availability: when is an hour complete? By the event-time rule every hourly output shares
 * (core/event-time): each source partition (topic, partition) has a watermark, the latest event
 * time it sent ({@link PartitionWatermarks}). Once a task has committed every file of a source up
 * to its watermark, it publishes the watermark to `<root>/_watermarks/<topic>-<partition>.json`,
 * where every task of the sink can read it. The low watermark is the lowest published one of the
 * sources that are not idle ({@link lowWatermarkOf}: a source whose watermark was not published
 * for `idleSourceMs` stops holding others back). An output partition is complete once the low
 * watermark is `lagMs` (the allowed lateness) past its end ({@link isClosedBy}): a `_SUCCESS`
 * flag is written in its directory.
 */
import { isClosedBy, type Logger, lowWatermarkOf, openHourOf, PartitionWatermarks } from '../../core/index.js';
import { HdfsErrorCodes, hasCode } from './errors.js';
import { encodeTopic } from './file-name-format.js';
import { type FileSystem, joinPath } from './file-system.js';
import { SUCCESS_FLAG } from './output-scan.js';
import type { Partition } from './partitioner.js';

/** Options for `_SUCCESS` flags. */
export interface AvailabilityOptions {
  /** The allowed lateness: a partition closes once the low watermark is this far past its end, in ms. @default 300000 (5 min) */
  readonly lagMs?: number;
  /** A source whose watermark has not moved for this long no longer holds others back, in ms. @default 7200000 (2 h) */
  readonly idleSourceMs?: number;
  /** Least time between two reads of the published watermarks, in ms. @default 5000 */
  readonly checkIntervalMs?: number;
}

/** The defaults, documented on {@link AvailabilityOptions}. */
export const DEFAULT_AVAILABILITY_OPTIONS = Object.freeze({ lagMs: 300_000, idleSourceMs: 7_200_000, checkIntervalMs: 5_000 });

/** The directory of published watermarks under the root. */
export const WATERMARKS_DIR = '_watermarks';

interface SourceState {
  readonly topic: string;
  readonly partition: number;
  published: number;
  publishedAt: number;
}

interface PublishedWatermark {
  readonly watermark: number;
  readonly updatedAt: number;
}

export class DataAvailability {
  readonly #fs: FileSystem;
  readonly #root: string;
  readonly #options: Readonly<Required<AvailabilityOptions>>;
  readonly #logger: Logger;
  readonly #sources = new Map<string, SourceState>();
  readonly #watermarks: PartitionWatermarks;
  /** Partitions with committed data and no flag yet, by path. */
  readonly #unflagged = new Map<string, Partition>();
  #lastCheck = -Infinity;

  constructor(fs: FileSystem, root: string, options: Readonly<Required<AvailabilityOptions>>, logger: Logger) {
    this.#fs = fs;
    this.#root = root;
    this.#options = options;
    this.#logger = logger;
    this.#watermarks = new PartitionWatermarks(options.idleSourceMs);
  }

  /** Notes a record's event time. */
  observe(key: string, topic: string, partition: number, eventTime: number): void {
    if (!this.#sources.has(key)) this.#sources.set(key, { topic, partition, published: -Infinity, publishedAt: 0 });
    // Idleness is judged on what the sources publish (every task reads them), not here: no clock.
    this.#watermarks.observe(key, eventTime, 0);
  }

  /** Whether an output partition ending at `end` is closed for a source: its watermark is the allowed lateness past the end. */
  closed(key: string, end: number): boolean {
    return isClosedBy(end, this.#watermarks.of(key) ?? -Infinity, this.#options.lagMs);
  }

  /** Notes that a file was committed in `partition`, which therefore needs a flag. */
  committed(partition: Partition): void {
    this.#unflagged.set(partition.path, partition);
  }

  /** Partitions with committed data and no flag yet: those found on `prepare`, and since. */
  get pending(): number {
    return this.#unflagged.size;
  }

  /**
   * Publishes the watermark of every source except `held` (sources whose closed files could not
   * all be committed), then flags the partitions every published watermark has passed.
   * Resolves with the partitions flagged.
   */
  async publish(now: number, held: ReadonlySet<string>, force = false): Promise<Partition[]> {
    for (const [key, s] of this.#sources) {
      if (held.has(key)) continue;
      const wm = this.#watermarks.of(key)!;
      const refresh = now - s.publishedAt >= this.#options.idleSourceMs / 4 && wm > s.published;
      // Published when it closes another hour (or to show the source is not idle), not on every record.
      if (wm <= s.published || (!refresh && openHourOf(wm, this.#options.lagMs) === openHourOf(s.published, this.#options.lagMs))) continue;
      const body = Buffer.from(JSON.stringify({ topic: s.topic, partition: s.partition, watermark: wm, updatedAt: now }));
      await this.#fs.create(this.#path(s), body, { overwrite: true });
      s.published = wm;
      s.publishedAt = now;
    }
    if (this.#unflagged.size === 0 || (!force && now - this.#lastCheck < this.#options.checkIntervalMs)) return [];
    this.#lastCheck = now;
    const global = await this.#globalWatermark(now);
    const flagged: Partition[] = [];
    for (const p of [...this.#unflagged.values()].sort((a, b) => a.start - b.start)) {
      if (!isClosedBy(p.end, global, this.#options.lagMs)) continue;
      await this.#fs.create(joinPath(this.#root, p.path, SUCCESS_FLAG), new Uint8Array(0), { overwrite: true });
      this.#unflagged.delete(p.path);
      flagged.push(p);
    }
    return flagged;
  }

  /** The low watermark of the published ones (the lowest of the sources that are not idle). */
  async #globalWatermark(now: number): Promise<number> {
    const dir = joinPath(this.#root, WATERMARKS_DIR);
    let entries;
    try {
      entries = await this.#fs.list(dir);
    } catch (error) {
      if (hasCode(error, HdfsErrorCodes.NOT_FOUND)) return -Infinity;
      throw error;
    }
    const published = [];
    for (const e of entries) {
      if (e.type !== 'file' || !e.name.endsWith('.json')) continue;
      const w = await this.#read(e.path);
      // A torn or unreadable watermark holds everything back: never flag too early.
      if (w === undefined) return -Infinity;
      published.push({ watermark: w.watermark, seenAt: w.updatedAt });
    }
    return lowWatermarkOf(published, now, this.#options.idleSourceMs);
  }

  async #read(path: string): Promise<PublishedWatermark | undefined> {
    try {
      const w = JSON.parse((await this.#fs.read(path)).toString('utf8')) as PublishedWatermark;
      return typeof w.watermark === 'number' && typeof w.updatedAt === 'number' ? w : undefined;
    } catch (error) {
      this.#logger.warn('unreadable watermark file', { path, error: (error as Error).message });
      return undefined;
    }
  }

  #path(s: SourceState): string {
    return joinPath(this.#root, WATERMARKS_DIR, `${encodeTopic(s.topic)}-${s.partition}.json`);
  }
}
