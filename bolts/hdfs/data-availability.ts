/**
 * Data availability: when is an hour complete? Each source partition (topic, partition) has an
 * event-time watermark, the latest event time seen minus a lag. Once a task has committed every
 * file of a source up to its watermark, it publishes the watermark to
 * `<root>/_watermarks/<topic>-<partition>.json`, where every task of the sink can read it. An
 * output partition whose end is at or below every published watermark is complete: a `_SUCCESS`
 * flag is written in its directory. Sources silent for `idleSourceMs` stop holding others back.
 */
import type { Logger } from '../../core/index.js';
import { HdfsErrorCodes, hasCode } from './errors.js';
import { encodeTopic } from './file-name-format.js';
import { type FileSystem, joinPath } from './file-system.js';
import { SUCCESS_FLAG } from './output-scan.js';
import type { Partition } from './partitioner.js';

/** Options for `_SUCCESS` flags. */
export interface AvailabilityOptions {
  /** How far behind the latest event time a source's watermark trails, in ms. @default 300000 (5 min) */
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
  maxEventTime: number;
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
  /** Partitions with committed data and no flag yet, by path. */
  readonly #unflagged = new Map<string, Partition>();
  #lastCheck = -Infinity;

  constructor(fs: FileSystem, root: string, options: Readonly<Required<AvailabilityOptions>>, logger: Logger) {
    this.#fs = fs;
    this.#root = root;
    this.#options = options;
    this.#logger = logger;
  }

  /** Notes a record's event time. */
  observe(key: string, topic: string, partition: number, eventTime: number): void {
    const s = this.#sources.get(key);
    if (s === undefined) this.#sources.set(key, { topic, partition, maxEventTime: eventTime, published: -Infinity, publishedAt: 0 });
    else if (eventTime > s.maxEventTime) s.maxEventTime = eventTime;
  }

  /** The watermark of a source: output partitions ending at or before it are closed for it. */
  watermark(key: string): number {
    const s = this.#sources.get(key);
    return s === undefined ? -Infinity : s.maxEventTime - this.#options.lagMs;
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
      const wm = s.maxEventTime - this.#options.lagMs;
      const refresh = now - s.publishedAt >= this.#options.idleSourceMs / 4 && wm > s.published;
      if (wm <= s.published || (!refresh && Math.floor(wm / 3_600_000) === Math.floor(s.published / 3_600_000))) continue;
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
      if (p.end > global) continue;
      await this.#fs.create(joinPath(this.#root, p.path, SUCCESS_FLAG), new Uint8Array(0), { overwrite: true });
      this.#unflagged.delete(p.path);
      flagged.push(p);
    }
    return flagged;
  }

  /** The lowest watermark any active source has published. */
  async #globalWatermark(now: number): Promise<number> {
    const dir = joinPath(this.#root, WATERMARKS_DIR);
    let entries;
    try {
      entries = await this.#fs.list(dir);
    } catch (error) {
      if (hasCode(error, HdfsErrorCodes.NOT_FOUND)) return -Infinity;
      throw error;
    }
    let min = Infinity;
    for (const e of entries) {
      if (e.type !== 'file' || !e.name.endsWith('.json')) continue;
      const w = await this.#read(e.path);
      // A torn or unreadable watermark holds everything back: never flag too early.
      if (w === undefined) return -Infinity;
      if (now - w.updatedAt > this.#options.idleSourceMs) continue;
      min = Math.min(min, w.watermark);
    }
    return min === Infinity ? -Infinity : min;
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
