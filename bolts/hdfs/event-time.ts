/**
 * Reading a record's event time: epoch milliseconds, an ISO 8601 string (a time without a zone
 * is UTC), or a Date. Anything else is an error with a reason, never a guess.
 */

/** The event time in epoch ms, or why it could not be read. */
export type EventTimeResult = { readonly time: number } | { readonly error: string };

/** Latest accepted time: the end of year 9999. */
const MAX_TIME = 253_402_300_800_000;
const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/i;

function describe(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The hour of the last canonical time read: its text up to the minutes (`2024-01-31T23:`), and its start. */
let hourPrefix = '';
let hourStart = 0;
const CANONICAL_SHORT = 20; // 2024-01-31T23:59:59Z
const CANONICAL_MS = 24; // 2024-01-31T23:59:59.999Z

/** Two ASCII digits at `i` as a number, or NaN. */
function twoDigits(text: string, i: number): number {
  const a = text.charCodeAt(i) - 48;
  const b = text.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : NaN;
}

/**
 * The time of `YYYY-MM-DDTHH:MM:SS[.mmm]Z`, the form varnishkafka and Squall write, read from
 * the last such text's hour without a regular expression: every record of an hour shares it.
 * Undefined for any other text, which {@link parseIsoTime} reads in full.
 */
function parseCanonical(text: string): number | undefined {
  const n = text.length;
  // Every fixed character is checked here: the hour's text is read by the pattern, which trims.
  if ((n !== CANONICAL_SHORT && n !== CANONICAL_MS) || text.charCodeAt(n - 1) !== 0x5a || text.charCodeAt(13) !== 0x3a || text.charCodeAt(16) !== 0x3a) return undefined;
  let ms = 0;
  if (n === CANONICAL_MS) {
    const c = text.charCodeAt(22) - 48;
    ms = text.charCodeAt(19) === 0x2e ? twoDigits(text, 20) * 10 + (c >= 0 && c <= 9 ? c : NaN) : NaN;
  }
  const minutes = twoDigits(text, 14);
  const seconds = twoDigits(text, 17);
  if (!(minutes <= 59 && seconds <= 59 && ms >= 0)) return undefined;
  if (hourPrefix === '' || !text.startsWith(hourPrefix)) {
    const start = parseIsoTimeByPattern(`${text.slice(0, 14)}00:00Z`);
    if (start === undefined) return undefined;
    hourPrefix = text.slice(0, 14);
    hourStart = start;
  }
  return hourStart + minutes * 60_000 + seconds * 1000 + ms;
}

/** Parses an ISO 8601 date-time; a string without an offset is read as UTC. */
export function parseIsoTime(text: string): number | undefined {
  return parseCanonical(text) ?? parseIsoTimeByPattern(text);
}

/** {@link parseIsoTime} without the shortcut for the canonical form: every text through the pattern. */
export function parseIsoTimeByPattern(text: string): number | undefined {
  const m = ISO.exec(text.trim());
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s = '0', frac = '', zone] = m;
  const ms = Number(frac.padEnd(3, '0').slice(0, 3));
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  const check = new Date(utc);
  // Date.UTC rolls over (Feb 30 → Mar 1); a real date keeps its fields.
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  if (zone === undefined || zone.toUpperCase() === 'Z') return utc;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const offsetMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4));
  return utc - sign * offsetMin * 60_000;
}

/** Reads `path` (dot-separated for nested fields) from a record. */
export function readField(record: unknown, path: readonly string[]): unknown {
  let value: unknown = record;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** The event time of a value: epoch ms, an ISO 8601 string, or a Date. */
export function eventTimeOf(value: unknown, field: string): EventTimeResult {
  let time: number | undefined;
  if (typeof value === 'number') time = Number.isInteger(value) ? value : undefined;
  else if (typeof value === 'string') time = parseIsoTime(value);
  else if (value instanceof Date) time = value.getTime();
  else if (value === undefined || value === null) return { error: `event time field '${field}' is missing` };
  if (time === undefined || !Number.isFinite(time)) {
    return { error: `event time field '${field}' is ${describe(value)}: not an ISO 8601 time or whole epoch milliseconds` };
  }
  if (time < 0 || time >= MAX_TIME) return { error: `event time field '${field}' is ${describe(value)}: outside 1970..9999` };
  return { time };
}
