/**
 * Where the webrequest topology bounds event time, once, before any hourly output sees a record:
 * the refine bolt asks the gate about every refined record. A record out of bounds goes to errors
 * (the caller sends it), is counted by reason (`squall_webrequest_event_time_refused_total`), and
 * its host is named in one warning per hour. A record in bounds moves its source partition's
 * watermark; the gate says when the stream's low watermark moved, for the `watermark` stream
 * that every hourly output follows.
 */
import type { CheckpointStore } from './checkpoint-store.js';
import { checkEventTime, type Counter, type EventTimeBoundReason, type EventTimePolicy, type EventTimeViolation, HOUR_MS, type Logger, type MetricGroup, PartitionWatermarks } from '../../core/index.js';

const REASONS: readonly EventTimeBoundReason[] = ['ahead', 'too_old'];
const REASON_TEXT: Readonly<Record<EventTimeBoundReason, string>> = { ahead: 'ahead of the wall clock', too_old: 'too old' };

export class EventTimeGate {
  readonly #policy: EventTimePolicy;
  readonly #logger: Logger;
  readonly #watermarks: PartitionWatermarks;
  readonly #refused: Readonly<Record<EventTimeBoundReason, Counter>>;
  readonly #counts: Record<EventTimeBoundReason, number> = { ahead: 0, too_old: 0 };
  /** Each host warned about, and the (wall-clock) hour of its warning. */
  readonly #warned = new Map<string, number>();
  #emitted = -Infinity;

  readonly #known: CheckpointStore | undefined;
  #savedSources = 0;
  #saving = false;

  /** With `known`, the source partitions seen are remembered there, and expected after a restart (see {@link EventTimeGate.restore}). */
  constructor(policy: EventTimePolicy, metrics: MetricGroup, logger: Logger, known?: CheckpointStore) {
    this.#policy = policy;
    this.#logger = logger;
    this.#known = known;
    this.#watermarks = new PartitionWatermarks(policy.idleTimeoutMs);
    const help = 'Records refused before any hourly output because their event time was outside the bounds, by reason';
    this.#refused = { ahead: metrics.counter('webrequest_event_time_refused_total', help, { reason: 'ahead' }), too_old: metrics.counter('webrequest_event_time_refused_total', help, { reason: 'too_old' }) };
  }

  /** The reference of a partition for the `stream` bounds: its watermark, or the stream's before its first record. */
  #reference(source: string, now: number): number | undefined {
    const own = this.#watermarks.of(source);
    if (own !== undefined) return own;
    const low = this.#watermarks.low(now);
    return low === -Infinity ? undefined : low;
  }

  /** Whether a time is within the bounds, without counting or noting it (for a line already in errors for another reason). */
  inBounds(source: string, time: number, now: number): boolean {
    return checkEventTime(time, this.#policy, now, this.#reference(source, now)) === undefined;
  }

  /**
   * Admits a refined record of `source` (`topic/partition`), or refuses it: the violation is
   * counted and, once per host and hour, logged; the caller sends the record to errors.
   */
  admit(source: string, hostname: string, time: number, now: number): EventTimeViolation | undefined {
    const violation = checkEventTime(time, this.#policy, now, this.#reference(source, now));
    if (violation === undefined) {
      this.#watermarks.observe(source, time, now);
      return undefined;
    }
    this.#refused[violation.reason].inc();
    this.#counts[violation.reason]++;
    const hour = Math.floor(now / HOUR_MS);
    if (this.#warned.get(hostname) !== hour) {
      this.#warned.set(hostname, hour);
      this.#logger.warn(`event time: ${hostname} sent a record outside the bounds, sent to errors: ${violation.message}. Its next ones this hour go to errors without a warning`, { host: hostname, reason: violation.reason });
    }
    return violation;
  }

  /**
   * Expects the source partitions read before a restart: each holds the low watermark back until
   * its first record of this run (or until it is idle), so hours do not close on the partitions
   * read first while the others have yet to replay theirs.
   */
  async restore(now: number): Promise<void> {
    const saved = (await this.#known?.load()) as string[] | undefined;
    for (const source of saved ?? []) this.#watermarks.expect(source, now);
    this.#savedSources = this.#watermarks.size;
  }

  /** Remembers the source partitions when a new one appeared (one save at a time; a failed one is tried again later). */
  saveSources(): void {
    const known = this.#known;
    if (known === undefined || this.#saving || this.#watermarks.size === this.#savedSources) return;
    this.#saving = true;
    const sources = this.#watermarks.sources();
    known.save(sources).then(
      () => void (this.#savedSources = sources.length),
      (error: unknown) => this.#logger.warn(`event time: could not save the source partitions seen (they are tried again): ${(error as Error).message}`),
    ).finally(() => (this.#saving = false));
  }

  /** The stream's low watermark when it moved since the last call that returned one; undefined otherwise. */
  moved(now: number): number | undefined {
    const low = this.#watermarks.low(now);
    if (low <= this.#emitted) return undefined;
    this.#emitted = low;
    return low;
  }

  /** The records refused so far, by reason, in one line; undefined when none was. */
  summary(): string | undefined {
    const total = this.#counts.ahead + this.#counts.too_old;
    if (total === 0) return undefined;
    const parts = REASONS.filter((r) => this.#counts[r] > 0).map((r) => `${this.#counts[r]} ${REASON_TEXT[r]} (${r})`);
    return `event time: ${total} records were outside the bounds and went to errors: ${parts.join(', ')}`;
  }
}
