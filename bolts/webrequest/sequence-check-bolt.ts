/**
 * The sequence check: Wikimedia's data-loss check on its own pipeline. Per cache host and hour
 * it counts what arrived against the host's sequence numbers (expected = max − min + 1) and
 * reports duplicates, losses and records without a time. An hour is reported once the host's
 * event time has moved `lagMs` past its end (or when the input ends); a loss above
 * `alertPercentLost` is logged as a warning, counted, and emitted on `alerts`.
 */
import type { Bolt, Counter, FlushReason, OutputCollector, TopologyContext, Tuple } from '../../core/index.js';
import { HOUR_MS } from './event-time.js';
import { SequenceStatsAccumulator, type SequenceStatsRow } from './sequence-stats.js';

export class SequenceCheckBolt implements Bolt {
  readonly #stats = new SequenceStatsAccumulator();
  #collector!: OutputCollector;
  #context!: TopologyContext;
  #lagMs = 10 * 60_000;
  #threshold = 0.5;
  #watermark = 0;
  /** Each host's latest event time: a record without one is counted in that hour. */
  readonly #lastTime = new Map<string, number>();
  #metrics!: { rows: Counter; lost: Counter; expected: Counter; alerts: Counter };

  prepare(context: TopologyContext, collector: OutputCollector): void {
    this.#context = context;
    this.#collector = collector;
    this.#lagMs = Number(context.config.sequenceLagMs ?? this.#lagMs);
    this.#threshold = Number(context.config.alertPercentLost ?? this.#threshold);
    const m = context.metrics;
    this.#metrics = {
      rows: m.counter('sequence_hours_total', 'Host-hours reported by the sequence check'),
      lost: m.counter('sequence_lost_total', 'Records lost (missing or duplicated sequence numbers)'),
      expected: m.counter('sequence_expected_total', 'Records expected from sequence numbers'),
      alerts: m.counter('sequence_alerts_total', 'Host-hours whose loss crossed alertPercentLost'),
    };
  }

  execute(tuple: Tuple): void {
    if (tuple.isTick()) {
      if (this.#watermark > 0) this.#report(this.#stats.flushBefore(Math.floor((this.#watermark - this.#lagMs) / HOUR_MS) * HOUR_MS));
      return;
    }
    const host = tuple.values[0] as string;
    const sequences = tuple.values[1] as readonly number[];
    const times = tuple.values[2] as readonly (number | null)[];
    let last = this.#lastTime.get(host);
    for (let i = 0; i < sequences.length; i++) {
      const ts = times[i]!;
      let time: number;
      if (ts === null) {
        time = last ?? (this.#watermark > 0 ? this.#watermark : Date.now());
      } else {
        time = last = ts;
        if (ts > this.#watermark) this.#watermark = ts;
      }
      this.#stats.add(host, sequences[i]!, time, ts === null);
    }
    if (last !== undefined) this.#lastTime.set(host, last);
  }

  /** At the end of the input every hour is reported; a streaming run reports hours as they close. */
  flush(reason: FlushReason): void {
    if (reason === 'end-of-input') this.#report(this.#stats.flushBefore(Number.MAX_SAFE_INTEGER));
  }

  #report(rows: SequenceStatsRow[]): void {
    for (const row of rows) {
      this.#metrics.rows.inc();
      this.#metrics.lost.inc(row.count_lost);
      this.#metrics.expected.inc(row.count_expected);
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
  }
}
