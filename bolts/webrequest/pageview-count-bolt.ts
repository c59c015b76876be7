/**
 * Hourly pageview counts per (domain code, page title), for the public dumps. Tuples arrive by a
 * fields grouping on the key, so each key is counted in one task. The counts are checkpointed
 * (to the output filesystem) and survive a restart; tuples are acked only once a checkpoint
 * holding them is saved, on every tick and whenever a quarter of `maxSpoutPending` is waiting,
 * so a spout is never held back for long. An hour closes when the stream's low watermark, which
 * refine sends on its `watermark` stream after the records it covers, is the allowed lateness
 * (`allowedLatenessMs`) past the hour's end: the same rule, on the same watermark, as every other
 * hourly output. Its lines go downstream with how far this task has closed, so the dump writer
 * knows when every task is done with an hour. A pageview of a closed hour is late: it goes to
 * errors with its hour.
 */
import { type Bolt, eventTimePolicyOf, type FlushReason, openHourOf, type OutputCollector, StorageHold, type TopologyContext, type Tuple, UpstreamWatermarks } from '../../core/index.js';
import type { CheckpointStore } from './checkpoint-store.js';
import { HOUR_MS } from './event-time.js';

interface State {
  /** hour start → "code title" → count */
  hours: Record<string, Record<string, number>>;
  closedThrough: number;
  /** The low watermark received (0 before the first). */
  watermark: number;
}

export interface PageviewCountBoltOptions {
  /** The checkpoint store of one task. */
  readonly checkpoints: (context: TopologyContext) => CheckpointStore;
}

export class PageviewCountBolt implements Bolt {
  readonly ackMode = 'manual' as const;
  readonly #options: PageviewCountBoltOptions;
  #collector!: OutputCollector;
  #context!: TopologyContext;
  #store!: CheckpointStore;
  #hold!: StorageHold;
  #lagMs = 0;
  readonly #upstream = new UpstreamWatermarks();
  #state: State = { hours: {}, closedThrough: 0, watermark: 0 };
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
    this.#hold = StorageHold.forTask(context, collector, 'writing the pageview counts checkpoint');
    const saved = (await this.#store.load()) as State | undefined;
    if (saved !== undefined) this.#state = saved;
  }

  execute(tuple: Tuple): void | Promise<void> {
    if (tuple.isTick()) return this.#checkpoint(false);
    if (tuple.sourceStream === 'watermark') return this.#onWatermark(tuple);
    const [code, title, time] = tuple.values as [string, string, number];
    const hour = Math.floor(time / HOUR_MS) * HOUR_MS;
    if (hour < this.#state.closedThrough) {
      // Late: its hour closed by the shared watermark and its dump is written. Replaying cannot help.
      this.#collector.emitTo('errors', [`${code} ${title}`, `late pageview for hour ${new Date(hour).toISOString()}: it arrived after the hour closed (the low watermark passed its end by allowedLatenessMs=${this.#lagMs}) and its dump was written`, 'pageview-counts'], tuple);
      this.#collector.ack(tuple);
      return;
    }
    const counts = this.#countsOf(hour);
    const key = `${code} ${title}`;
    counts[key] = (counts[key] ?? 0) + 1;
    this.#unsaved.push(tuple);
    if (this.#unsaved.length >= this.#maxHeld) return this.#checkpoint(false);
  }

  /** The low watermark of an upstream task: hours it closes are written now. */
  #onWatermark(tuple: Tuple): void | Promise<void> {
    this.#upstream.update(tuple.sourceTask, tuple.values[0] as number);
    this.#collector.ack(tuple);
    const low = this.#upstream.low(this.#context.tasksOf(tuple.sourceComponent));
    if (low <= this.#state.watermark) return;
    this.#state.watermark = low;
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

  /** Closes finished hours, saves the state, then acks what the saved state holds. */
  async #checkpoint(closeAll: boolean): Promise<void> {
    const closeBefore = closeAll ? Number.MAX_SAFE_INTEGER : openHourOf(this.#state.watermark, this.#lagMs);
    const closing = Object.keys(this.#state.hours)
      .map(Number)
      .filter((h) => h < closeBefore)
      .sort((a, b) => a - b);
    const tuples = this.#unsaved;
    this.#unsaved = [];
    for (const hour of closing) {
      const lines = Object.entries(this.#state.hours[hour]!).map(([key, n]) => `${key} ${n} 0`);
      delete this.#state.hours[hour];
      if (hour === this.#lastHour) this.#lastHour = NaN;
      this.#state.closedThrough = Math.max(this.#state.closedThrough, hour + HOUR_MS);
      this.#collector.emit([hour, lines, this.#state.closedThrough], null);
    }
    if (!closeAll && closing.length === 0 && closeBefore > this.#state.closedThrough && this.#state.watermark > 0) {
      this.#state.closedThrough = closeBefore;
      this.#collector.emit([null, [], closeBefore], null);
    }
    if (tuples.length === 0 && closing.length === 0 && !closeAll) return;
    try {
      // A full disk is waited out (the input held) rather than failing the held tuples into replays.
      await this.#hold.run(() => this.#store.save(this.#state));
      for (const t of tuples) this.#collector.ack(t);
    } catch (error) {
      for (const t of tuples) this.#collector.fail(t, error as Error);
    }
  }
}
