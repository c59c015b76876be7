/**
 * refineLine: one varnishkafka line → one refined record, in one synchronous pass:
 * parse → canonicalize → geotag → anonymize. The bolts call this, and the benchmark's
 * single-loop baseline is this, so the refinery's logic lives in one place.
 */
import { buildRefined, IpHasher, saltPeriodOf, DEFAULT_SALT_ROTATION_MS } from './anonymize.js';
import { canonicalize, type CanonicalizeCaches } from './canonicalize.js';
import type { GeoLookup } from './geotag.js';
import { parseWebrequestLine } from './parse.js';
import { MISSING, type WebrequestRefined } from './schema.js';

/** What {@link refineLine} needs. */
export interface RefineDeps {
  /** `webrequest_source`, such as `text` or `upload`. */
  source: string;
  /** An open geo reader, such as `GeoReader`. */
  geo: GeoLookup;
  /**
   * The salt of a period when it is at hand, such as `SaltStore.cachedSalt`. When it returns
   * `undefined`, the line fails with `stage: 'salt'` and the period: fetch that salt
   * (`await store.saltFor(period)`) and refine the line again.
   */
  saltFor: (period: string) => Buffer | undefined;
  /** The salt rotation, in milliseconds. @default 86400000 (one day) */
  rotationMs?: number;
  /** The clock, for the salt period of records without `dt`. @default Date.now */
  now?: () => number;
  /** @default the process-wide caches */
  caches?: CanonicalizeCaches;
}

/** The outcome of {@link refineLine}. */
export type RefineResult =
  | { ok: true; record: WebrequestRefined }
  /** The line is malformed; `reason` says why and never quotes the line. */
  | { ok: false; stage: 'parse'; reason: string }
  /** The salt of `period` is not at hand yet; retriable once it is. */
  | { ok: false; stage: 'salt'; reason: string; period: string };

/** Refine one line. Never throws for a bad line. */
export function refineLine(line: string | Buffer, deps: RefineDeps): RefineResult {
  const parsed = parseWebrequestLine(line);
  if (!parsed.ok) return { ok: false, stage: 'parse', reason: parsed.reason };
  const canonical = canonicalize(parsed.record, deps);
  const nowMs = canonical.ts === null ? (deps.now ?? Date.now)() : 0;
  const period = saltPeriodOf(canonical.ts, deps.rotationMs ?? DEFAULT_SALT_ROTATION_MS, nowMs);
  const salt = deps.saltFor(period);
  if (salt === undefined) {
    return { ok: false, stage: 'salt', reason: `the salt of period ${period} is not loaded`, period };
  }
  if (hasher === undefined || !hasher.isFor(salt)) hasher = new IpHasher(salt);
  const ip = canonical.ip;
  const clientIp = ip === MISSING ? MISSING : hasher.hash(ip);
  return { ok: true, record: buildRefined(canonical, clientIp, deps.geo.lookup(ip)) };
}

// Salts change once a period: keep the hasher of the last one.
let hasher: IpHasher | undefined;
