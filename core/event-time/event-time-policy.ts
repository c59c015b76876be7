/**
 * The event-time policy every hourly output shares: how far a record's event time may lie from
 * the reference time (the bounds), what the reference is, how long an hour stays open past its
 * end (the allowed lateness), and when a silent source partition stops holding hours open.
 * Options, frozen defaults, and one function that fills and validates them.
 */
import { configNumber, configString } from '../config.js';
import { configKeys } from '../config-keys.js';
import { ErrorCodes, SquallError } from '../errors.js';

/**
 * What the bounds are measured from:
 * - `wall-clock`: the time now. For a live stream.
 * - `stream`: the record's source partition's low watermark (its latest event time in bounds),
 *   for a backfill or a replay of old data. A record ahead of the wall clock is still refused.
 */
export type EventTimeReference = 'wall-clock' | 'stream';

/** The event-time options users set. */
export interface EventTimeOptions {
  /** A record more than this far ahead of the reference (and of the wall clock) is refused, in ms. @default 600000 (10 min) */
  readonly maxAheadMs?: number;
  /** A record more than this far behind the reference is refused, in ms. @default 604800000 (7 days) */
  readonly maxAgeMs?: number;
  /** What the bounds are measured from. @default 'wall-clock' */
  readonly reference?: EventTimeReference;
  /** An hour closes once the low watermark is this far past its end, in ms. @default 600000 (10 min) */
  readonly allowedLatenessMs?: number;
  /** A source partition that sent nothing for this long (wall clock) no longer holds hours open, in ms. @default 600000 (10 min) */
  readonly idleTimeoutMs?: number;
}

/** The filled, validated options. */
export type EventTimePolicy = Readonly<Required<EventTimeOptions>>;

/** The defaults, documented on {@link EventTimeOptions}. */
export const DEFAULT_EVENT_TIME_OPTIONS: EventTimePolicy = Object.freeze({
  maxAheadMs: 600_000,
  maxAgeMs: 7 * 86_400_000,
  reference: 'wall-clock',
  allowedLatenessMs: 600_000,
  idleTimeoutMs: 600_000,
});

/** The topology config key of each option (`-c key=value`). */
export const EVENT_TIME_CONFIG_KEYS = Object.freeze({
  maxAheadMs: 'eventTimeMaxAheadMs',
  maxAgeMs: 'eventTimeMaxAgeMs',
  reference: 'eventTimeReference',
  allowedLatenessMs: 'allowedLatenessMs',
  idleTimeoutMs: 'idlePartitionMs',
} as const);

/** The declaration of the keys of {@link EVENT_TIME_CONFIG_KEYS}, for a topology's own declaration. */
export const EVENT_TIME_KEYS = configKeys({
  eventTimeMaxAheadMs: { type: 'integer', min: 1, default: DEFAULT_EVENT_TIME_OPTIONS.maxAheadMs, description: 'a record this far ahead of the reference (and of the wall clock) is refused, in ms' },
  eventTimeMaxAgeMs: { type: 'integer', min: 1, default: DEFAULT_EVENT_TIME_OPTIONS.maxAgeMs, description: 'a record this far behind the reference is refused, in ms' },
  eventTimeReference: { type: 'string', values: ['wall-clock', 'stream'], description: 'what the bounds are measured from: the wall clock (a live stream) or the stream itself (a backfill)' },
  allowedLatenessMs: { type: 'integer', min: 0, default: DEFAULT_EVENT_TIME_OPTIONS.allowedLatenessMs, description: 'an hour closes once the low watermark is this far past its end, in ms' },
  idlePartitionMs: { type: 'integer', min: 1, default: DEFAULT_EVENT_TIME_OPTIONS.idleTimeoutMs, description: 'a source partition silent this long no longer holds hours open, in ms' },
});

function invalid(key: string, value: unknown, fix: string): SquallError {
  return new SquallError(ErrorCodes.INVALID_CONFIG, `event time: ${key} is ${JSON.stringify(value)}: ${fix}`);
}

/** Fills `options` from the defaults and validates them. */
export function compileEventTimeOptions(options: EventTimeOptions = {}): EventTimePolicy {
  const o = { ...DEFAULT_EVENT_TIME_OPTIONS, ...options };
  for (const key of ['maxAheadMs', 'maxAgeMs', 'idleTimeoutMs'] as const) {
    if (typeof o[key] !== 'number' || !(o[key] > 0) || !Number.isFinite(o[key])) throw invalid(EVENT_TIME_CONFIG_KEYS[key], o[key], 'use a positive number of milliseconds');
  }
  if (typeof o.allowedLatenessMs !== 'number' || !(o.allowedLatenessMs >= 0) || !Number.isFinite(o.allowedLatenessMs)) {
    throw invalid(EVENT_TIME_CONFIG_KEYS.allowedLatenessMs, o.allowedLatenessMs, 'use 0 or more milliseconds');
  }
  if (o.reference !== 'wall-clock' && o.reference !== 'stream') {
    throw invalid(EVENT_TIME_CONFIG_KEYS.reference, o.reference, "use 'wall-clock' (a live stream) or 'stream' (a backfill or replay of old data)");
  }
  return Object.freeze(o);
}

/**
 * The policy of a topology's config (the keys of {@link EVENT_TIME_CONFIG_KEYS}), over `defaults`
 * (such as a reference chosen by the input).
 */
export function eventTimePolicyOf(config: Readonly<Record<string, unknown>>, defaults: EventTimeOptions = {}): EventTimePolicy {
  const d = { ...DEFAULT_EVENT_TIME_OPTIONS, ...defaults };
  const k = EVENT_TIME_CONFIG_KEYS;
  return compileEventTimeOptions({
    maxAheadMs: configNumber(config, k.maxAheadMs, d.maxAheadMs),
    maxAgeMs: configNumber(config, k.maxAgeMs, d.maxAgeMs),
    reference: configString(config, k.reference, d.reference) as EventTimeReference,
    allowedLatenessMs: configNumber(config, k.allowedLatenessMs, d.allowedLatenessMs),
    idleTimeoutMs: configNumber(config, k.idleTimeoutMs, d.idleTimeoutMs),
  });
}
