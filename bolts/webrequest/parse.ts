/**
 * Parse and validate one varnishkafka JSON line into a {@link WebrequestInput}.
 *
 * Never throws. A rejected line yields `{ ok: false, reason }`, where the reason names the field
 * and the expectation but never quotes a value or the line: a line holds the client's raw IP.
 */
import { MISSING, INPUT_STRING_FIELDS, type WebrequestInput } from './schema.js';
import { parseDt } from './event-time.js';

/** The outcome of {@link parseWebrequestLine}. */
export type ParseResult =
  | { ok: true; record: WebrequestInput }
  | { ok: false; reason: string };

const HTTP_STATUS = /^\d{3}$/;

const fail = (reason: string): ParseResult => Object.freeze({ ok: false, reason });

const R_BAD_JSON = fail('malformed JSON');
const R_NOT_OBJECT = fail('not a JSON object');
const R_HOSTNAME = fail('field hostname: expected a non-empty string');
const R_SEQUENCE = fail('field sequence: expected a non-negative integer');
const R_DT = fail('field dt: expected ISO-8601 UTC such as 2026-11-22T10:00:00Z, or -');
const R_STATUS = fail('field http_status: expected a three-digit string such as "200"');
const R_TIME_FIRSTBYTE = fail('field time_firstbyte: expected a number or -');
const R_RESPONSE_SIZE = fail('field response_size: expected a number or -');
const R_STRING: Record<string, ParseResult> = Object.fromEntries(
  INPUT_STRING_FIELDS.map((f) => [f, fail(`field ${f}: expected a string`)]),
);

/** A string field: trimmed; absent, `null` or empty gives `-`; numbers and booleans are spelled out. */
function stringField(value: unknown): string | undefined {
  if (typeof value === 'string') {
    const t = value.trim();
    return t === '' ? MISSING : t;
  }
  if (value === undefined || value === null) return MISSING;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** A number field: a finite number or numeric string; absent, `null` or `-` gives `null`. */
function numberField(value: unknown): number | null | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') {
    const t = value.trim();
    if (t === '' || t === MISSING) return null;
    const n = Number(t);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/**
 * Parse one line. Required: `hostname` (non-empty), `sequence` (a non-negative integer),
 * `dt` (ISO-8601 UTC or `-`) and `http_status` (three digits, as a string). Every other field is
 * optional and defaults to `-` (strings) or `null` (`time_firstbyte`, `response_size`).
 */
export function parseWebrequestLine(line: string | Buffer): ParseResult {
  let obj: unknown;
  try {
    obj = JSON.parse(typeof line === 'string' ? line : line.toString('utf8'));
  } catch {
    return R_BAD_JSON;
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return R_NOT_OBJECT;
  const o = obj as Record<string, unknown>;

  const hostname = typeof o.hostname === 'string' ? o.hostname.trim() : '';
  if (hostname === '' || hostname === MISSING) return R_HOSTNAME;

  const sequence = o.sequence;
  if (typeof sequence !== 'number' || !Number.isSafeInteger(sequence) || sequence < 0) return R_SEQUENCE;

  const dt = typeof o.dt === 'string' ? o.dt.trim() : undefined;
  if (dt === undefined || (dt !== MISSING && Number.isNaN(parseDt(dt)))) return R_DT;

  const httpStatus = typeof o.http_status === 'string' ? o.http_status.trim() : '';
  if (!HTTP_STATUS.test(httpStatus)) return R_STATUS;

  const timeFirstbyte = numberField(o.time_firstbyte);
  if (timeFirstbyte === undefined) return R_TIME_FIRSTBYTE;
  const responseSize = numberField(o.response_size);
  if (responseSize === undefined) return R_RESPONSE_SIZE;

  const ip = stringField(o.ip);
  const cacheStatus = stringField(o.cache_status);
  const httpMethod = stringField(o.http_method);
  const uriHost = stringField(o.uri_host);
  const uriPath = stringField(o.uri_path);
  const uriQuery = stringField(o.uri_query);
  const contentType = stringField(o.content_type);
  const referer = stringField(o.referer);
  const xForwardedFor = stringField(o.x_forwarded_for);
  const userAgent = stringField(o.user_agent);
  const acceptLanguage = stringField(o.accept_language);
  const xAnalytics = stringField(o.x_analytics);
  const range = stringField(o.range);
  const xCache = stringField(o.x_cache);
  const accept = stringField(o.accept);
  if (
    ip === undefined ||
    cacheStatus === undefined ||
    httpMethod === undefined ||
    uriHost === undefined ||
    uriPath === undefined ||
    uriQuery === undefined ||
    contentType === undefined ||
    referer === undefined ||
    xForwardedFor === undefined ||
    userAgent === undefined ||
    acceptLanguage === undefined ||
    xAnalytics === undefined ||
    range === undefined ||
    xCache === undefined ||
    accept === undefined
  ) {
    return firstBadString(o);
  }

  return {
    ok: true,
    record: {
      hostname,
      sequence,
      dt,
      time_firstbyte: timeFirstbyte,
      ip,
      cache_status: cacheStatus,
      http_status: httpStatus,
      response_size: responseSize,
      http_method: httpMethod,
      uri_host: uriHost,
      uri_path: uriPath,
      uri_query: uriQuery,
      content_type: contentType,
      referer,
      x_forwarded_for: xForwardedFor,
      user_agent: userAgent,
      accept_language: acceptLanguage,
      x_analytics: xAnalytics,
      range,
      x_cache: xCache,
      accept,
    },
  };
}

function firstBadString(o: Record<string, unknown>): ParseResult {
  for (const f of INPUT_STRING_FIELDS) {
    if (stringField(o[f]) === undefined) return R_STRING[f]!;
  }
  return R_NOT_OBJECT;
}

/** What a line that cannot be refined still says about delivery: its cache host, sequence number and time. */
export interface SequenceFacts {
  readonly hostname: string;
  readonly sequence: number;
  /** Epoch ms of `dt`, or null when it has none that parses. */
  readonly ts: number | null;
}

const FACT_HOSTNAME = /"hostname"\s*:\s*"([^"\\]{1,255})"/;
// The number must be complete: followed by the next field or the end of the object. Up to 16
// digits: a counter started at the Unix time × 10⁶ (varnishkafka's `sequence.number = time`) has 16.
const FACT_SEQUENCE = /"sequence"\s*:\s*(\d{1,16})(?=\s*[,}])/;
const FACT_DT = /"dt"\s*:\s*"([^"\\]{1,64})"/;

/**
 * The host and sequence number of a malformed line, when its text still holds them (a truncated
 * line, a bad field): the line was delivered, so the sequence check must not count it as lost.
 * Undefined when either is missing.
 */
export function sequenceFactsOf(line: string): SequenceFacts | undefined {
  const host = FACT_HOSTNAME.exec(line)?.[1]?.trim();
  const digits = FACT_SEQUENCE.exec(line)?.[1];
  const sequence = digits === undefined ? Number.NaN : Number(digits);
  if (host === undefined || host === '' || host === MISSING || !Number.isSafeInteger(sequence)) return undefined;
  const dt = FACT_DT.exec(line)?.[1];
  const ts = dt === undefined ? Number.NaN : parseDt(dt);
  return { hostname: host, sequence, ts: Number.isNaN(ts) ? null : ts };
}
