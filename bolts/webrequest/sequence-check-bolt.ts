/**
 * The sequence check: Wikimedia's data-loss check on its own pipeline, made exact across hours,
 * restarts of a host's counter, replays and restarts of the topology (see {@link SequenceLedger}).
 *
 * An hour closes once the stream's low watermark, which refine sends on its `watermark` stream
 * after the records it covers, is the allowed lateness (`allowedLatenessMs`) past its end (every
 * open hour at the end of the input): the same rule, on the same watermark, as every other hourly
 * output. A record of a closed hour is late, counted in the first open hour. Its records are written through `output` (one file per hour, rewritten
 * whole if need be), then the state (the ledger, which source positions were counted, the event
 * time) is checkpointed, and only then are the tuples it holds acked. After a crash the last
 * checkpoint is loaded and the unacked tuples come again; a record at a position already counted
 * (a replay, or a restarted run reading its input again) is not counted twice. A restart of a
 * host's counter is logged once as a warning naming the host; an hour losing more than
 * `alertPercentLost` is logged, counted and emitted on `alerts`.
 */
import type { Bolt, Counter, FlushReason, Gauge, Histogram, OutputCollector, OutputRecordCounters, TopologyContext, Tuple } from '../../core/index.js';
import { configNumber, eventTimePolicyOf, openHourOf, outputRecordCounters, StorageHold, storageFaultOf, UpstreamWatermarks } from '../../core/index.js';
import type { CheckpointStore } from './checkpoint-store.js';
import { CountedOffsets } from './counted-offsets.js';
import { SequenceLedger, type SequenceLedgerState, type SequenceReset } from './sequence-ledger.js';
import { SEQUENCE_RESET_DEFAULTS, type SequenceResetRule, compileSequenceResetRule } from './sequence-reset-rule.js';
import type { SequenceStatsRow } from './sequence-stats.js';
import type { SequenceStatsOutput } from './sequence-stats-output.js';

/** Buckets of a host-hour's loss, in percent. */
const LOSS_PERCENT_BUCKETS = Object.freeze([0, 0.001, 0.01, 0.1, 0.5, 1, 2, 5, 10, 25, 50, 100]);

export interface SequenceCheckBoltOptions {
  /** The checkpoint store of one task. */
  readonly checkpoints: (context: TopologyContext) => CheckpointStore;
  /** Where one task writes the records of the hours it closes. */
  readonly output: (context: TopologyContext) => SequenceStatsOutput;
}

/** What a checkpoint holds. */
interface SavedState {
  readonly ledger: SequenceLedgerState;
  readonly counted: Record<string, number[]>;
  readonly watermark: number;
  /** The low watermark received (0 before the first). */
  readonly low?: number;
  readonly lastTimes: Record<string, number>;
}

export class SequenceCheckBolt implements Bolt {
  readonly ackMode = 'manual' as const;
  readonly #options: SequenceCheckBoltOptions;
  #collector!: OutputCollector;
  #context!: TopologyContext;
  #store!: CheckpointStore;
  #hold!: StorageHold;
  #output!: SequenceStatsOutput;
  #rule!: SequenceResetRule;
  #lagMs = 0;
  #threshold = 0.5;
  #maxHeld = 250;
  #ledger!: SequenceLedger;
  #counted = new CountedOffsets();
  /** The latest event time seen: the time of a record without one, when its host has none yet. */
  #watermark = 0;
  /** The low watermark received from refine: hours close by it. */
  #low = 0;
  readonly #upstream = new UpstreamWatermarks();
  /** Each host's latest event time: a record without one is counted in that hour. */
  #lastTimes = new Map<string, number>();
  /** Records skipped as replays since the last end of input, for its log line. */
  #replayed = 0;
  #held: Tuple[] = [];
  #heldRecords = 0;
  #records!: OutputRecordCounters;
  #metrics!: { rows: Counter; lost: Counter; expected: Counter; alerts: Counter; resets: Counter; replayed: Counter; late: Counter; hostLoss: Histogram; worstLoss: Gauge };

  constructor(options: SequenceCheckBoltOptions) {
    this.#options = options;
  }

  async prepare(context: TopologyContext, collector: OutputCollector): Promise<void> {
    this.#context = context;
    this.#collector = collector;
    const config = context.config;
    this.#lagMs = eventTimePolicyOf(config).allowedLatenessMs;
    this.#threshold = configNumber(config, 'alertPercentLost', this.#threshold);
    this.#rule = compileSequenceResetRule({
      jump: configNumber(config, 'sequenceResetJump', SEQUENCE_RESET_DEFAULTS.jump),
      drop: configNumber(config, 'sequenceResetDrop', SEQUENCE_RESET_DEFAULTS.drop),
      below: configNumber(config, 'sequenceResetBelow', SEQUENCE_RESET_DEFAULTS.below),
    });
    // Tuples wait here for a checkpoint; save before a spout's maxSpoutPending is all held here.
    this.#maxHeld = Math.max(1, Math.floor(configNumber(config, 'maxSpoutPending', 1000) / 4));
    const m = context.metrics;
    this.#records = outputRecordCounters(m);
    this.#metrics = {
      rows: m.counter('sequence_hours_total', 'Host-hours reported by the sequence check'),
      lost: m.counter('sequence_lost_total', 'Sequence numbers lost (never arrived by the time their hour closed)'),
      expected: m.counter('sequence_expected_total', 'Sequence numbers the reported hours accounted for'),
      alerts: m.counter('sequence_alerts_total', 'Host-hours whose loss crossed alertPercentLost'),
      resets: m.counter('sequence_resets_total', 'Restarts of a cache host’s sequence counter'),
      replayed: m.counter('sequence_replayed_total', 'Records at a source position already counted (replays), not counted again'),
      late: m.counter('sequence_late_total', 'Records whose number a closed hour had already counted lost'),
      // A host name comes from input, so it is never a label: each host-hour is one observation
      // of its loss, and the hosts themselves are named in the stats and alerts outputs.
      hostLoss: m.histogram('sequence_host_loss_percent', 'Loss percentage of each host-hour reported (one observation per cache host and hour)', {}, LOSS_PERCENT_BUCKETS),
      worstLoss: m.gauge('sequence_worst_host_loss_percent', 'The highest loss percentage among the host-hours of the last hour closed'),
    };
    this.#store = this.#options.checkpoints(context);
    this.#output = this.#options.output(context);
    this.#hold = StorageHold.forTask(context, collector, 'writing the sequence statistics and their checkpoint');
    await this.#restore();
  }

  async #restore(): Promise<void> {
    const saved = (await this.#store.load()) as SavedState | undefined;
    this.#ledger = saved === undefined ? new SequenceLedger(this.#rule) : SequenceLedger.fromJSON(saved.ledger, this.#rule);
    this.#counted = saved === undefined ? new CountedOffsets() : CountedOffsets.fromJSON(saved.counted);
    this.#watermark = saved?.watermark ?? 0;
    this.#low = saved?.low ?? 0;
    this.#lastTimes = new Map(Object.entries(saved?.lastTimes ?? {}));
  }

  execute(tuple: Tuple): void | Promise<void> {
    if (tuple.isTick()) return this.#checkpoint(false);
    if (tuple.sourceStream === 'watermark') return this.#onWatermark(tuple);
    const [host, sequences, times, sources, offsets] = tuple.values as [string, readonly number[], readonly (number | null)[], readonly string[], readonly number[]];
    let last = this.#lastTimes.get(host);
    let replayed = 0;
    for (let i = 0; i < sequences.length; i++) {
      if (!this.#counted.add(sources[i]!, offsets[i]!)) {
        replayed++;
        continue;
      }
      const ts = times[i]!;
      let time: number;
      if (ts === null) {
        time = last ?? (this.#watermark > 0 ? this.#watermark : Date.now());
      } else {
        time = last = ts;
        if (ts > this.#watermark) this.#watermark = ts;
      }
      const reset = this.#ledger.add(host, sequences[i]!, time, ts === null);
      if (reset !== undefined) this.#reportReset(reset);
    }
    this.#records.written.inc(sequences.length - replayed);
    if (replayed > 0) {
      this.#records.held.inc(replayed);
      this.#metrics.replayed.inc(replayed);
      this.#replayed += replayed;
    }
    if (last !== undefined) this.#lastTimes.set(host, last);
    this.#held.push(tuple);
    this.#heldRecords += sequences.length;
    if (this.#heldRecords >= this.#maxHeld) return this.#checkpoint(false);
  }

  /** The low watermark of an upstream task: hours it closes are written now. */
  #onWatermark(tuple: Tuple): void | Promise<void> {
    this.#upstream.update(tuple.sourceTask, tuple.values[0] as number);
    this.#collector.ack(tuple);
    const low = this.#upstream.low(this.#context.tasksOf(tuple.sourceComponent));
    if (low <= this.#low) return;
    this.#low = low;
    if (openHourOf(low, this.#lagMs) > this.#ledger.closedThrough) return this.#checkpoint(false);
  }

  /** At the end of the input every open hour closes; otherwise the state is checkpointed. */
  flush(reason: FlushReason): Promise<void> {
    if (reason === 'end-of-input' && this.#replayed > 0) {
      this.#context.logger.info(`sequence check: ${this.#replayed} records at source positions already counted (replays, or input read again) were not counted again`);
      this.#replayed = 0;
    }
    return this.#checkpoint(reason === 'end-of-input');
  }

  /** Ends a wait for the storage: a stopping run does not wait out storageDeadlineMs. */
  cleanup(): void {
    this.#hold?.close();
  }

  /** Closes finished hours and writes them, saves the state, then acks what the saved state holds. */
  async #checkpoint(closeAll: boolean): Promise<void> {
    const closeBefore = closeAll ? this.#ledger.openThrough : openHourOf(this.#low, this.#lagMs);
    const closing = closeBefore > this.#ledger.closedThrough;
    const tuples = this.#held;
    this.#held = [];
    this.#heldRecords = 0;
    if (tuples.length === 0 && !closing) return;
    try {
      const rows = closing ? this.#ledger.closeBefore(closeBefore) : [];
      const byHour = new Map<number, SequenceStatsRow[]>();
      for (const row of rows) byHour.set(row.hour_start, [...(byHour.get(row.hour_start) ?? []), row]);
      const state: SavedState = { ledger: this.#ledger.toJSON(), counted: this.#counted.toJSON(), watermark: this.#watermark, low: this.#low, lastTimes: Object.fromEntries(this.#lastTimes) };
      // A full disk is waited out (the input held) rather than failing the held tuples into replays.
      await this.#hold.run(async () => {
        for (const [hour, hourRows] of byHour) await this.#output.write(hour, hourRows);
        await this.#store.save(state);
      });
      this.#report(rows);
      for (const t of tuples) this.#collector.ack(t);
    } catch (error) {
      // Back to the last checkpoint: what the held tuples changed is undone, and they come again.
      // A storage fault was said by the hold already (once a minute), not once per checkpoint.
      if (storageFaultOf(error) === undefined) this.#context.logger.error(`sequence check: checkpoint failed, going back to the last one: ${(error as Error).message}`);
      await this.#restore();
      for (const t of tuples) this.#collector.fail(t, error as Error);
    }
  }

  #reportReset(reset: SequenceReset): void {
    this.#metrics.resets.inc();
    this.#context.logger.warn(`sequence check: ${reset.hostname}'s sequence counter restarted (from ${reset.from} to ${reset.to}); loss and duplicates are counted per run of the counter`, {
      host: reset.hostname,
      from: reset.from,
      to: reset.to,
    });
  }

  #report(rows: readonly SequenceStatsRow[]): void {
    let worst = 0;
    for (const row of rows) {
      this.#metrics.rows.inc();
      this.#metrics.hostLoss.observe(row.percent_lost);
      worst = Math.max(worst, row.percent_lost);
      this.#metrics.lost.inc(row.count_lost);
      this.#metrics.expected.inc(row.count_expected);
      if (row.count_late > 0) this.#metrics.late.inc(row.count_late);
      this.#collector.emit([row], null);
      if (row.percent_lost > this.#threshold) {
        this.#metrics.alerts.inc();
        this.#context.logger.warn(`sequence check: ${row.hostname} lost ${row.percent_lost.toFixed(3)}% in hour ${new Date(row.hour_start).toISOString()}`, {
          host: row.hostname,
          lost: row.count_lost,
          expected: row.count_expected,
        });
        this.#collector.emitTo('alerts', [row], null);
      }
    }
    if (rows.length > 0) this.#metrics.worstLoss.set(worst);
  }
}
