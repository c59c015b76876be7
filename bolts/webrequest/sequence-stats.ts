/**
 * The sequence statistics record: one per cache host and hour, after Wikimedia's
 * `webrequest_sequence_stats` table, with the counts made exact across hours and restarts of the
 * host's counter (see docs/webrequest.md, "The sequence statistics record", and
 * {@link SequenceLedger}).
 */

/** The statistics of one host and hour. */
export interface SequenceStatsRow {
  hostname: string;
  /** The hour's start, in epoch milliseconds (UTC). */
  hour_start: number;
  /** The lowest and highest sequence numbers of the hour's records (across runs of the counter). */
  min_sequence: number;
  max_sequence: number;
  /** Records counted in this hour, duplicates and late ones included. */
  count_actual: number;
  /** Sequence numbers this hour accounts for: per run, from the run's last number accounted by an earlier hour (or its first number) to its highest number in this hour. */
  count_expected: number;
  /** Records that brought a number their run had not seen: `actual − duplicate`. */
  count_distinct: number;
  /** Wikimedia's raw figure, `expected − actual`; negative when stragglers or late records arrive here. */
  count_different: number;
  /** Records whose number their run had already seen (the same line twice). */
  count_duplicate: number;
  /** Numbers of the expected range that no record had brought when the hour closed. */
  count_lost: number;
  /** `lost / expected × 100` (0 when nothing was expected). */
  percent_lost: number;
  /** Records whose `dt` was `-`, counted in their host's latest hour. */
  count_incomplete: number;
  /** Restarts of the host's counter revealed by this hour's records. */
  count_resets: number;
  /** Records that came after their hour had closed (by `dt`), or whose number a closed hour had counted lost. */
  count_late: number;
}

/** The running counts of one host and hour, while it is open. */
export interface HourCounts {
  min: number;
  max: number;
  actual: number;
  duplicate: number;
  incomplete: number;
  resets: number;
  late: number;
  /** Run id → the run's highest number among this hour's records. */
  runHighs: Map<number, number>;
}

export function newHourCounts(): HourCounts {
  return { min: Number.MAX_SAFE_INTEGER, max: -1, actual: 0, duplicate: 0, incomplete: 0, resets: 0, late: 0, runHighs: new Map() };
}

/** The record of a closing hour, from its counts and what its runs accounted for. */
export function statsRowOf(hostname: string, hourStart: number, c: HourCounts, expected: number, lost: number): SequenceStatsRow {
  return {
    hostname,
    hour_start: hourStart,
    min_sequence: c.min,
    max_sequence: c.max,
    count_actual: c.actual,
    count_expected: expected,
    count_distinct: c.actual - c.duplicate,
    count_different: expected - c.actual,
    count_duplicate: c.duplicate,
    count_lost: lost,
    percent_lost: expected === 0 ? 0 : (lost / expected) * 100,
    count_incomplete: c.incomplete,
    count_resets: c.resets,
    count_late: c.late,
  };
}
