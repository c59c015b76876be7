/**
 * What an exactly-once output did with each record it was sent: wrote (or counted) it anew, or
 * recognized it as already held (a replay, or a re-run over the same input), by its source
 * offset. Every such output counts both in one metric, so a run can say at its end whether its
 * output already held everything it read.
 *
 * @example
 * ```ts
 * const records = outputRecordCounters(context.metrics);
 * if (committed.has(source, offset)) records.held.inc(); else { write(record); records.written.inc(); }
 * ```
 */
import type { Counter, MetricFamily, MetricGroup } from './registry.js';

/** The metric's full name, as the registry stores it. */
export const OUTPUT_RECORDS_METRIC = 'squall_output_records_total';

/** The two outcomes of a record at an exactly-once output. */
export interface OutputRecordCounters {
  /** Written (or counted) by this run. */
  readonly written: Counter;
  /** Already in the output (by its source offset): acked without being written again. */
  readonly held: Counter;
}

const HELP = 'Records an exactly-once output was sent, by outcome: written by this run, or already held (by source offset) and not written again';

/** The counters of one output (a task's metric group carries its component and task). */
export function outputRecordCounters(metrics: MetricGroup): OutputRecordCounters {
  return {
    written: metrics.counter(OUTPUT_RECORDS_METRIC, HELP, { outcome: 'written' }),
    held: metrics.counter(OUTPUT_RECORDS_METRIC, HELP, { outcome: 'held' }),
  };
}

/** The sums over the outputs of one topology, by outcome. */
export function outputRecordTotals(families: Iterable<MetricFamily>, topology: string): { written: number; held: number } {
  const totals = { written: 0, held: 0 };
  for (const family of families) {
    if (family.name !== OUTPUT_RECORDS_METRIC) continue;
    for (const { labels, metric } of family.series.values()) {
      if (labels.topology !== topology || !('value' in metric)) continue;
      if (labels.outcome === 'written') totals.written += metric.value;
      else if (labels.outcome === 'held') totals.held += metric.value;
    }
  }
  return totals;
}
