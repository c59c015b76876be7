/**
 * What a local run's summary says in its headline, and its exit code: the truth about the
 * records, whatever else the counters say. A record given up, or read and not written anywhere,
 * makes the run a failure (exit 1), and the headline says how to finish the job.
 */
import { type ComponentError, ErrorCodes, type RuntimeStats } from '../../core/index.js';
import { ExitCode } from '../cli/exit-codes.js';

/** How the run ended. */
export interface RunEnd {
  /** Why it stopped: `input exhausted`, `duration of 5 s reached`, `interrupted`, a task that cannot go on. */
  readonly reason: string;
  /** True when every spout was exhausted and every tuple acked. */
  readonly completed: boolean;
  /** The error a task reported as fatal, if one did. */
  readonly failure?: ComponentError | undefined;
  /** True when shutdown passed its deadline with tuples in flight. */
  readonly forced: boolean;
}

export interface RunVerdict {
  /** After `stopped after N s: `, without the final period. */
  readonly headline: string;
  /** A line under the table counting records not written and given up, when spouts say. */
  readonly records: string | undefined;
  readonly exitCode: number;
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** When to re-run, by what stopped the run. */
const WHEN: Readonly<Record<string, string>> = Object.freeze({
  [ErrorCodes.STORAGE_FULL]: ' when the disk has room',
  [ErrorCodes.STORAGE_READ_ONLY]: ' when the output can be written',
  [ErrorCodes.STORAGE_UNAVAILABLE]: ' when HDFS takes writes again',
  [ErrorCodes.STORAGE_IO]: ' when the storage is healthy',
});

export function runVerdict(stats: RuntimeStats, end: RunEnd): RunVerdict {
  let givenUp = 0;
  let unwritten = 0;
  let blank: number | undefined;
  let counted = false;
  let failed = 0;
  for (const c of Object.values(stats.components)) {
    if (c.kind === 'spout') failed += c.failed;
    if (c.kind !== 'spout' || c.unwritten === undefined) continue;
    counted = true;
    givenUp += c.givenUp ?? 0;
    unwritten += c.unwritten;
    if (c.blank !== undefined) blank = (blank ?? 0) + c.blank;
  }
  const parts: string[] = [];
  if (end.completed && givenUp === 0 && failed === 0) parts.push('input exhausted, every tuple acked');
  else if (end.completed && givenUp === 0) parts.push(`input exhausted, every record written (${fmt(failed)} tuple ${failed === 1 ? 'tree' : 'trees'} failed on the way and ${failed === 1 ? 'was' : 'were'} replayed)`);
  else if (end.completed) parts.push('input exhausted');
  else parts.push(end.reason);
  if (unwritten > 0) {
    const when = WHEN[end.failure?.code ?? ''] ?? '';
    parts.push(`${fmt(unwritten)} records read are not written anywhere yet: re-run the same command${when} (committed output is kept, and nothing will be duplicated)`);
  }
  if (givenUp > 0) parts.push(`${fmt(givenUp)} records were given up after their retries and are in the errors output with the reason`);
  // Blank lines hold no record: neither refined nor in errors, so the summary says how many were skipped.
  const skipped = blank === undefined ? '' : `; blank lines skipped (no record in them): ${fmt(blank)}`;
  const records = counted ? `records not written anywhere: ${fmt(unwritten)}; given up to errors after their retries: ${fmt(givenUp)}${skipped}` : undefined;
  // A forced stop keeps its own code (4: tuples were in flight, their sources replay them).
  const exitCode = end.failure !== undefined ? ExitCode.FAILURE : end.forced ? ExitCode.FORCED_SHUTDOWN : unwritten > 0 || givenUp > 0 ? ExitCode.FAILURE : ExitCode.OK;
  return { headline: parts.join('; '), records, exitCode };
}
