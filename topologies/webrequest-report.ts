/**
 * The closing block of a webrequest run's summary: where the output went, and what this run
 * wrote there. Each line is one function of the run's metrics; add a line by adding one.
 */
import type { RunMetrics, RunReport } from '../core/index.js';

const fmt = (n: number) => n.toLocaleString('en-US');

/** `errors: 12 (malformed JSON 7, field dt 5)`, largest kinds first. */
function errorsLine(metrics: RunMetrics): string {
  const kinds = [...metrics.byLabel('ndjson_output_records_total', 'kind', { output: 'errors' })].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const total = kinds.reduce((sum, [, n]) => sum + n, 0);
  return `errors written: ${fmt(total)}${kinds.length === 0 ? '' : ` (${kinds.map(([kind, n]) => `${kind} ${fmt(n)}`).join(', ')})`}`;
}

/** The report of a run writing under `root` (a local directory, or an HDFS path under `hdfs`). */
export function webrequestReport(root: string, hdfs: string | undefined): RunReport {
  return (metrics) => [
    `output: ${root}${hdfs === undefined ? '' : ` on ${hdfs}`}`,
    `records refined: ${fmt(metrics.total('hdfs_sink_records_written_total', { component: 'refined' }))}`,
    errorsLine(metrics),
    `pageview lines written: ${fmt(metrics.total('pageview_dump_lines_total'))}`,
  ];
}
