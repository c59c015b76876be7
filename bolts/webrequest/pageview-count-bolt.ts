/**
 * Hourly pageview counts per (domain code, page title), for the public dumps. Tuples arrive by a
 * fields grouping on the key, so each key is counted in one task.
 *
 * Exactly once, keyed by source offsets: each pageview carries where its record came from, and
 * the checkpoint holds, with the counts, which source positions were counted. A pageview at a
 * counted position (a replay after a failure or a kill, or a re-run over the same input) is
 * acked without being counted again, whether or not its hour has closed: it is already in its
 * dump, not late. Tuples are acked only once a checkpoint holding them is saved (on every tick,
 * and whenever a quarter of `maxSpoutPending` is waiting); a save that fails goes back to the
 * last checkpoint, and its tuples come again.
 *
 * An hour closes when the stream's low watermark, which refine sends on its `watermark` stream
 * after the records it covers, is the allowed lateness (`allowedLatenessMs`) past the hour's end:
 * the same rule, on the same watermark, as every other hourly output. This task's lines of the
 * hour are written to its part of the dump (`parts`), then the checkpoint marks the hour closed,
 * and only then does it tell the dump writer how far it has closed, so the writer merges an hour
 * only once every task's close of it is durable. A pageview of a closed hour, not counted before,
 * is late: it goes to errors with its hour and its source position.
 */
import { type Bolt, eventTimePolicyOf, type FlushReason, openHourOf, type OutputCollector, type OutputRecordCounters, outputRecordCounters, StorageHold, storageFaultOf, type TopologyContext, type Tuple, UpstreamWatermarks } from '../../core/index.js';
import type { CheckpointStore } from './checkpoint-store.js';
import { CountedOffsets } from './counted-offsets.js';
import { HOUR_MS } from './event-time.js';
import type { PageviewPartOutput } from './pageview-dump-files.js';

interface State {
  /** hour start → "code title" → count */
  hours: Record<string, Record<string, number>>;
  closedThrough: number;
  /** The low watermark received (0 before the first). */
  watermark: number;
  /** The source positions counted: source → flat [first, last, …] ranges. */
  counted?: Record<string, number[]>;
}

/** The fields of the stream to the dump writer: how far this task has closed hours, durably. */
export const PAGEVIEW_CLOSED_FIELDS = ['closed_through'] as const;

export interface PageviewCountBoltOptions {
  /** The checkpoint store of one task. */
  readonly checkpoints: (context: TopologyContext) => CheckpointStore;
  /** Where one task writes its lines of each hour it closes. */
  readonly parts: (context: TopologyContext) => PageviewPartOutput;
}

export class PageviewCountBolt implements Bolt {
  readonly ackMode = 'manual' as const;
  readonly #options: PageviewCountBoltOptions;
  #collector!: OutputCollector;
  #context!: TopologyContext;
  #store!: CheckpointStore;
  #parts!: PageviewPartOutput;
  #hold!: StorageHold;
  #records!: OutputRecordCounters;
  #lagMs = 0;
  readonly #upstream = new UpstreamWatermarks();
  #state: State = { hours: {}, closedThrough: 0, watermark: 0 };
  #counted = new CountedOffsets();
  /** True while the state holds changes the last checkpoint does not. */
  #dirty = false;
  /** Whether the dump writer was told how far the restored state has closed. */
  #announced = false;
  #unsaved: Tuple[] = [];
  #maxHeld = 250;
  #lastHour = NaN;
  #lastCounts: Record<string, number> = {};

  constructor(options: PageviewCountBoltOptions) {
    this.#options = options;
  }

  async prepare(context: TopologyContext, collector: OutputCollector): Promise<void> {
    this.#collector = collector;
    this.#context = context;
    this.#lagMs = eventTimePolicyOf(context.config).allowedLatenessMs;
    this.#maxHeld = Math.max(1, Math.floor(Number(context.config.maxSpoutPending ?? 1000) / 4));
    this.#store = this.#options.checkpoints(context);
    this.#parts = this.#options.parts(context);
    this.#records = outputRecordCounters(context.metrics);
    this.#hold = StorageHold.forTask(context, collector, 'writing the pageview counts and their checkpoint');
    await this.#restore();
  }

  async #restore(): Promise<void> {
    const saved = (await this.#store.load()) as State | undefined;
    this.#state = saved ?? { hours: {}, closedThrough: 0, watermark: 0 };
    this.#counted = CountedOffsets.fromJSON(this.#state.counted ?? {});
    this.#lastHour = NaN;
    this.#dirty = false;
  }

  execute(tuple: Tuple): void | Promise<void> {
    if (!this.#announced) this.#announce();
    if (tuple.isTick()) return this.#checkpoint(false);
    if (tuple.sourceStream === 'watermark') return this.#onWatermark(tuple);
    const [code, title, time, source, offset] = tuple.values as [string, string, number, string, number];
    if (this.#counted.has(source, offset)) {
      this.#records.held.inc();
      // Counted by the state in memory: acked once that is saved, or now when it already is.
      if (this.#dirty) this.#unsaved.push(tuple);
      else this.#collector.ack(tuple);
      return;
    }
    const hour = Math.floor(time / HOUR_MS) * HOUR_MS;
    if (hour < this.#state.closedThrough) {
      // Late: its hour closed by the shared watermark and its dump is written. Replaying cannot help.
      this.#collector.emitTo('errors', [`${code} ${title}`, `late pageview for hour ${new Date(hour).toISOString()}: it arrived after the hour closed (the low watermark passed its end by allowedLatenessMs=${this.#lagMs}) and its dump was written`, `${source}@${offset}`], tuple);
      this.#collector.ack(tuple);
      return;
    }
    this.#counted.add(source, offset);
    const counts = this.#countsOf(hour);
    const key = `${code} ${title}`;
    counts[key] = (counts[key] ?? 0) + 1;
    this.#records.written.inc();
    this.#dirty = true;
    this.#unsaved.push(tuple);
    if (this.#unsaved.length >= this.#maxHeld) return this.#checkpoint(false);
  }

  /** Tells the dump writer how far the restored checkpoint has closed: hours a crash kept it from merging. */
  #announce(): void {
    this.#announced = true;
    if (this.#state.closedThrough > 0) this.#collector.emit([this.#state.closedThrough], null);
  }

  /** The low watermark of an upstream task: hours it closes are written now. */
  #onWatermark(tuple: Tuple): void | Promise<void> {
    this.#upstream.update(tuple.sourceTask, tuple.values[0] as number);
    this.#collector.ack(tuple);
    const low = this.#upstream.low(this.#context.tasksOf(tuple.sourceComponent));
    if (low <= this.#state.watermark) return;
    this.#state.watermark = low;
    this.#dirty = true;
    if (openHourOf(low, this.#lagMs) > this.#state.closedThrough) return this.#checkpoint(false);
  }

  /**
   * The counts of an hour, created when new. The last hour's are kept at hand (until that hour
   * closes): nearly every pageview falls in it, and indexing the state by a number costs a
   * number-to-string conversion.
   */
  #countsOf(hour: number): Record<string, number> {
    if (hour === this.#lastHour) return this.#lastCounts;
    this.#lastHour = hour;
    return (this.#lastCounts = this.#state.hours[hour] ??= {});
  }

  /** At the end of the input every hour closes; otherwise only the checkpoint is saved. */
  flush(reason: FlushReason): Promise<void> {
    return this.#checkpoint(reason === 'end-of-input');
  }

  /** Ends a wait for the storage: a stopping run does not wait out storageDeadlineMs. */
  cleanup(): void {
    this.#hold?.close();
  }

  /** Closes finished hours into their parts, saves the state, then acks what it holds and says how far it closed. */
  async #checkpoint(closeAll: boolean): Promise<void> {
    const closeBefore = closeAll ? Number.MAX_SAFE_INTEGER : openHourOf(this.#state.watermark, this.#lagMs);
    const closing = Object.keys(this.#state.hours)
      .map(Number)
      .filter((h) => h < closeBefore)
      .sort((a, b) => a - b);
    const before = this.#state.closedThrough;
    const parts = closing.map((hour) => [hour, Object.entries(this.#state.hours[hour]!).map(([key, n]) => `${key} ${n} 0`)] as const);
    for (const hour of closing) {
      delete this.#state.hours[hour];
      this.#state.closedThrough = Math.max(this.#state.closedThrough, hour + HOUR_MS);
    }
    this.#lastHour = NaN;
    // No hour of this task's to close, but the watermark passed it: later pageviews of it are late.
    if (!closeAll && closeBefore > this.#state.closedThrough && this.#state.watermark > 0) this.#state.closedThrough = closeBefore;
    const tuples = this.#unsaved;
    this.#unsaved = [];
    if (this.#state.closedThrough !== before) this.#dirty = true;
    if (!this.#dirty) {
      for (const t of tuples) this.#collector.ack(t);
      return;
    }
    this.#state.counted = this.#counted.toJSON();
    try {
      // A full disk is waited out (the input held) rather than failing the held tuples into replays.
      await this.#hold.run(async () => {
        for (const [hour, lines] of parts) await this.#parts.write(hour, lines);
        await this.#store.save(this.#state);
      });
      this.#dirty = false;
      if (this.#state.closedThrough !== before) this.#collector.emit([this.#state.closedThrough], null);
      for (const t of tuples) this.#collector.ack(t);
    } catch (error) {
      // Back to the last checkpoint: what the held tuples changed is undone, and they come again.
      if (storageFaultOf(error) === undefined) this.#context.logger.error(`pageview counts: checkpoint failed, going back to the last one: ${(error as Error).message}`);
      await this.#restore();
      for (const t of tuples) this.#collector.fail(t, error as Error);
    }
  }
}
