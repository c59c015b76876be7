/**
 * The bounds on event time: a record too far ahead of the reference, or too old, is refused once,
 * before any hourly output sees it, with a reason that names the bound and the value.
 */
import { EVENT_TIME_CONFIG_KEYS, type EventTimePolicy } from './event-time-policy.js';

/** Why a time is out of bounds: the metric label and summary key. */
export type EventTimeBoundReason = 'ahead' | 'too_old';

/** A time outside the bounds: the reason, and a message naming the bound and the value. */
export interface EventTimeViolation {
  readonly reason: EventTimeBoundReason;
  readonly message: string;
}

/** A duration in the largest whole unit that fits: `10 min`, `7 d`, `1500 ms`. */
export function describeDuration(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['min', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size} ${unit}`;
  }
  return `${ms} ms`;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Checks `time` against the bounds of `policy`.
 * @param now the wall clock, epoch ms
 * @param streamReference with the `stream` reference, the record's partition's low watermark
 *   (undefined before its first record: then only the wall clock bounds it)
 * @returns the violation, or undefined when the time is within bounds
 */
export function checkEventTime(time: number, policy: EventTimePolicy, now: number, streamReference: number | undefined): EventTimeViolation | undefined {
  const stream = policy.reference === 'stream';
  // A record from the future is wrong whatever is being read, a backfill included.
  if (time > now + policy.maxAheadMs) {
    return { reason: 'ahead', message: `event time ${iso(time)} is more than ${EVENT_TIME_CONFIG_KEYS.maxAheadMs}=${policy.maxAheadMs} (${describeDuration(policy.maxAheadMs)}) ahead of the wall clock (${iso(now)})` };
  }
  const reference = stream ? streamReference : now;
  if (reference !== undefined && time < reference - policy.maxAgeMs) {
    const what = stream ? "its partition's low watermark" : 'the wall clock';
    return { reason: 'too_old', message: `event time ${iso(time)} is more than ${EVENT_TIME_CONFIG_KEYS.maxAgeMs}=${policy.maxAgeMs} (${describeDuration(policy.maxAgeMs)}) older than ${what} (${iso(reference)})` };
  }
  return undefined;
}
