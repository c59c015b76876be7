/**
 * Anonymization: the client IP becomes an HMAC-SHA-256 under the salt of the record's time
 * period, and the raw `ip` and `x_forwarded_for` are dropped.
 */
import { createHmac, hash } from 'node:crypto';
import { inspect } from 'node:util';
import { DAY_MS } from './event-time.js';
import {
  MISSING,
  type CanonicalRecord,
  type GeocodedData,
  type GeotaggedRecord,
  type WebrequestRefined,
} from './schema.js';

/** The default salt rotation: one salt per UTC day. */
export const DEFAULT_SALT_ROTATION_MS = DAY_MS;

/** HMAC-SHA-256 of the IP under the salt, as 64 lowercase hex digits. */
export function hashIp(ip: string, salt: Buffer): string {
  return createHmac('sha256', salt).update(ip).digest('hex');
}

const SHA256_BLOCK = 64;
const MAX_FAST_IP_CHARS = 80;

/**
 * HMAC-SHA-256 of IPs under one salt, faster than {@link hashIp} for the hot path: the padded keys
 * are computed once and each IP costs two one-shot SHA-256 calls into reused buffers. Gives the
 * same digests as {@link hashIp}. Not safe to share between threads (it reuses buffers).
 */
export class IpHasher {
  readonly #salt: Buffer;
  readonly #inner: Buffer;
  readonly #outer: Buffer;

  constructor(salt: Buffer) {
    this.#salt = salt;
    let key = salt;
    if (key.length > SHA256_BLOCK) key = hash('sha256', key, 'buffer');
    this.#inner = Buffer.alloc(SHA256_BLOCK + MAX_FAST_IP_CHARS * 3, 0x36);
    this.#outer = Buffer.alloc(SHA256_BLOCK + 32, 0x5c);
    for (let i = 0; i < key.length; i++) {
      this.#inner[i]! ^= key[i]!;
      this.#outer[i]! ^= key[i]!;
    }
  }

  /** HMAC-SHA-256 of the IP, as 64 lowercase hex digits. */
  hash(ip: string): string {
    if (ip.length > MAX_FAST_IP_CHARS) return hashIp(ip, this.#salt);
    const n = this.#inner.write(ip, SHA256_BLOCK, 'utf8');
    const innerDigest = hash('sha256', this.#inner.subarray(0, SHA256_BLOCK + n), 'buffer');
    innerDigest.copy(this.#outer, SHA256_BLOCK);
    return hash('sha256', this.#outer, 'hex');
  }

  /** True when this hasher is for that salt (the same Buffer). */
  isFor(salt: Buffer): boolean {
    return salt === this.#salt;
  }

  /** Hides the salt from `JSON.stringify`. */
  toJSON(): Record<string, never> {
    return {};
  }

  /** Hides the salt from `util.inspect`. */
  [inspect.custom](): string {
    return 'IpHasher {}';
  }
}

/**
 * The salt period that holds a time: the ISO-8601 start of the `rotationMs`-long window,
 * counted from the epoch, such as `2026-11-22T00:00:00.000Z` for daily rotation.
 */
export function periodOf(tsMillis: number, rotationMs: number = DEFAULT_SALT_ROTATION_MS): string {
  const start = periodStartOf(tsMillis, rotationMs);
  if (start !== lastPeriodStart) {
    lastPeriodStart = start;
    lastPeriod = new Date(start).toISOString();
  }
  return lastPeriod;
}

// Records arrive in time order: remember the last period's name.
let lastPeriodStart = Number.NaN;
let lastPeriod = '';

/**
 * The salt period of a record: that of its event time, or of `nowMs` when it has none
 * (`dt` was `-`).
 */
export function saltPeriodOf(ts: number | null, rotationMs: number, nowMs: number): string {
  return periodOf(ts ?? nowMs, rotationMs);
}

/** The start, in epoch milliseconds, of the period that holds a time. */
export function periodStartOf(tsMillis: number, rotationMs: number = DEFAULT_SALT_ROTATION_MS): number {
  return Math.floor(tsMillis / rotationMs) * rotationMs;
}

/**
 * The start and end (exclusive), in epoch milliseconds, of a period named by {@link periodOf}.
 * @throws RangeError when the name is not a period start
 */
export function periodBounds(period: string, rotationMs: number = DEFAULT_SALT_ROTATION_MS): { startMs: number; endMs: number } {
  const startMs = Date.parse(period);
  if (Number.isNaN(startMs) || startMs % rotationMs !== 0) {
    throw new RangeError(`not a salt period for a rotation of ${rotationMs} ms: ${period}`);
  }
  return { startMs, endMs: startMs + rotationMs };
}

/**
 * The refined record: every field of the canonical record except the raw `ip` and
 * `x_forwarded_for`, plus `client_ip` and `geocoded_data`. Built as one literal so every refined
 * record has the same shape and no field is copied by accident.
 */
export function buildRefined(r: CanonicalRecord, clientIp: string, geocoded: GeocodedData): WebrequestRefined {
  return {
    hostname: r.hostname,
    sequence: r.sequence,
    dt: r.dt,
    time_firstbyte: r.time_firstbyte,
    client_ip: clientIp,
    cache_status: r.cache_status,
    http_status: r.http_status,
    response_size: r.response_size,
    http_method: r.http_method,
    uri_host: r.uri_host,
    uri_path: r.uri_path,
    uri_query: r.uri_query,
    content_type: r.content_type,
    referer: r.referer,
    user_agent: r.user_agent,
    accept_language: r.accept_language,
    x_analytics: r.x_analytics,
    range: r.range,
    x_cache: r.x_cache,
    accept: r.accept,
    is_pageview: r.is_pageview,
    pageview_info: r.pageview_info,
    webrequest_source: r.webrequest_source,
    normalized_host: r.normalized_host,
    x_analytics_map: r.x_analytics_map,
    user_agent_map: r.user_agent_map,
    agent_type: r.agent_type,
    access_method: r.access_method,
    geocoded_data: geocoded,
    ts: r.ts,
  };
}

/** `client_ip` for a raw IP: its hash, or `-` when the IP is missing. */
export function clientIpOf(ip: string, salt: Buffer): string {
  return ip === MISSING || ip === '' ? MISSING : hashIp(ip, salt);
}

/**
 * Anonymize a geotagged record under the salt of its period: `client_ip` is the hash of `ip`,
 * and `ip` and `x_forwarded_for` are gone from the result.
 */
export function anonymize(record: GeotaggedRecord, salt: Buffer): WebrequestRefined {
  return buildRefined(record, clientIpOf(record.ip, salt), record.geocoded_data);
}
