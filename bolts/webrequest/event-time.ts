/**
 * Event time from varnishkafka's `dt`: ISO-8601 UTC such as `2026-11-22T10:00:00Z`, with optional
 * fractional seconds and an optional `Z` (varnishkafka writes local-free UTC without it).
 *
 * Lines arrive in time order, so many records in a row share one `dt`: a one-entry memo makes the
 * repeated case a string comparison.
 */

const DT_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z?$/;

/** One hour, in milliseconds. */
export const HOUR_MS = 3_600_000;

/** One day, in milliseconds. */
export const DAY_MS = 86_400_000;

let lastDt = '';
let lastMs = Number.NaN;

/**
 * Parse `dt` into epoch milliseconds (UTC).
 * @returns the time, or `NaN` when `dt` is not a valid ISO-8601 UTC timestamp
 */
export function parseDt(dt: string): number {
  if (dt === lastDt) return lastMs;
  const m = DT_PATTERN.exec(dt);
  let ms = Number.NaN;
  if (m !== null) {
    const year = +m[1]!;
    const month = +m[2]!;
    const day = +m[3]!;
    const hour = +m[4]!;
    const minute = +m[5]!;
    const second = +m[6]!;
    const fraction = m[7] === undefined ? 0 : Math.floor(+`0.${m[7]}` * 1000);
    const t = Date.UTC(year, month - 1, day, hour, minute, second, fraction);
    const d = new Date(t);
    if (
      d.getUTCFullYear() === year &&
      d.getUTCMonth() === month - 1 &&
      d.getUTCDate() === day &&
      hour < 24 &&
      minute < 60 &&
      second < 60
    ) {
      ms = t;
    }
  }
  lastDt = dt;
  lastMs = ms;
  return ms;
}

/** The UTC calendar parts of a time, for `year=/month=/day=/hour=` partitions. */
export interface HourParts {
  year: number;
  month: number;
  day: number;
  hour: number;
}

let lastHourStart = Number.NaN;
let lastParts: HourParts = { year: 0, month: 0, day: 0, hour: 0 };

/**
 * The UTC year, month (1–12), day and hour of an epoch-millisecond time. The returned object is
 * shared between calls in the same hour: read it, do not keep or change it.
 */
export function hourPartsOf(ms: number): Readonly<HourParts> {
  const hourStart = Math.floor(ms / HOUR_MS) * HOUR_MS;
  if (hourStart === lastHourStart) return lastParts;
  const d = new Date(hourStart);
  lastHourStart = hourStart;
  lastParts = Object.freeze({
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
  });
  return lastParts;
}
