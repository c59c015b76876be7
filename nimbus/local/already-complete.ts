/**
 * The summary line of a run whose output already held everything it read: every exactly-once
 * output recognized each record by its source offset (core's `squall_output_records_total`) and
 * wrote nothing again. A re-run of the same command says so instead of looking like a new run.
 */
import { type MetricRegistry, outputRecordTotals } from '../../core/index.js';

/** The line, or undefined when the run wrote something or did not complete. */
export function alreadyCompleteLine(metrics: MetricRegistry, topology: string, completed: boolean): string | undefined {
  const { written, held } = outputRecordTotals(metrics.families(), topology);
  if (!completed || written > 0 || held === 0) return undefined;
  return 'output already complete: every record read was already in it (recognized by its source offset), and nothing was written again';
}
