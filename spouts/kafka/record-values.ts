/**
 * The tuple values of a record: `SOURCE_RECORD_FIELDS`, that is
 * `[topic, partition, offset, key, value, timestamp, headers, lease]`.
 *
 * - `offset` is a number (exact below 2^53, which a partition does not reach), as the file and
 *   generator spouts emit it, so bolts compare and store offsets the same way for every source.
 * - `key` is the key as UTF-8 text, or null.
 * - `value` is the decoded value.
 * - `timestamp` is the record timestamp in ms since the epoch.
 * - `headers` is a frozen object of header name → UTF-8 text (an array for a repeated header).
 * - `lease` is the lease the partition is read under (with a fence), else null.
 */
import type { SourceHeaders, SourceMessage } from './source.js';

/** Headers as they appear in a tuple. */
export type RecordHeaders = Readonly<Record<string, string | readonly string[]>>;

const NO_HEADERS: RecordHeaders = Object.freeze({});

const text = (v: Buffer | string): string => (typeof v === 'string' ? v : v.toString('utf8'));

/** The headers of a record as text; one shared empty object when there are none. */
export function headersOf(headers: SourceHeaders | undefined): RecordHeaders {
  if (headers === undefined) return NO_HEADERS;
  let out: Record<string, string | readonly string[]> | undefined;
  for (const name in headers) {
    const v = headers[name];
    if (v === undefined) continue;
    out ??= {};
    out[name] = Array.isArray(v) ? Object.freeze(v.map(text)) : text(v as Buffer | string);
  }
  return out === undefined ? NO_HEADERS : Object.freeze(out);
}

/** The values of the tuple for `message`, whose value decoded to `value`. */
export function recordValues(topic: string, partition: number, offset: number, message: SourceMessage, value: unknown, lease: string | null = null): unknown[] {
  return [topic, partition, offset, message.key === null ? null : message.key.toString('utf8'), value, Number(message.timestamp), headersOf(message.headers), lease];
}

/** Parses an offset string from Kafka or a hook; undefined when it is not a safe non-negative integer. */
export function parseOffset(raw: unknown): number | undefined {
  if (typeof raw !== 'string' || !/^\d+$/.test(raw)) return undefined;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : undefined;
}
