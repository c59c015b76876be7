import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SquallError } from '../errors.js';
import { checkEventTime, describeDuration } from './event-time-bounds.js';
import { compileEventTimeOptions, DEFAULT_EVENT_TIME_OPTIONS, eventTimePolicyOf } from './event-time-policy.js';
import { HOUR_MS, isClosedBy, lowWatermarkOf, openHourOf, PartitionWatermarks, UpstreamWatermarks } from './watermarks.js';

const NOW = Date.UTC(2026, 11, 3, 13, 0);
const H10 = Date.UTC(2026, 10, 22, 10);

test('the defaults: 10 minutes ahead, 7 days old, the wall clock, 10 minutes of lateness and of idleness', () => {
  assert.deepEqual({ ...compileEventTimeOptions() }, { maxAheadMs: 600_000, maxAgeMs: 604_800_000, reference: 'wall-clock', allowedLatenessMs: 600_000, idleTimeoutMs: 600_000 });
  assert.ok(Object.isFrozen(DEFAULT_EVENT_TIME_OPTIONS));
});

test('config keys are read and checked, with a message that names the key and the fix', () => {
  assert.deepEqual({ ...eventTimePolicyOf({ eventTimeReference: 'stream', idlePartitionMs: 5000 }, { maxAgeMs: 1000 }) }, { ...DEFAULT_EVENT_TIME_OPTIONS, reference: 'stream', idleTimeoutMs: 5000, maxAgeMs: 1000 });
  assert.throws(() => eventTimePolicyOf({ eventTimeReference: 'stram' }), (e: unknown) => e instanceof SquallError && e.code === 'SQUALL_ERR_INVALID_CONFIG' && /eventTimeReference is "stram": use 'wall-clock'/.test(e.message));
  assert.throws(() => eventTimePolicyOf({ eventTimeMaxAheadMs: 0 }), /eventTimeMaxAheadMs is 0: use a positive number of milliseconds/);
  assert.throws(() => eventTimePolicyOf({ allowedLatenessMs: -1 }), /allowedLatenessMs is -1: use 0 or more/);
});

test('wall-clock bounds: ahead and too old are refused with the bound and the value; the edges pass', () => {
  const p = compileEventTimeOptions();
  assert.equal(checkEventTime(NOW + 600_000, p, NOW, undefined), undefined);
  assert.equal(checkEventTime(NOW - 604_800_000, p, NOW, undefined), undefined);
  assert.deepEqual(checkEventTime(Date.UTC(2099, 0, 1), p, NOW, undefined), {
    reason: 'ahead',
    message: 'event time 2099-01-01T00:00:00.000Z is more than eventTimeMaxAheadMs=600000 (10 min) ahead of the wall clock (2026-12-03T13:00:00.000Z)',
  });
  assert.deepEqual(checkEventTime(Date.UTC(1999, 0, 1), p, NOW, undefined), {
    reason: 'too_old',
    message: 'event time 1999-01-01T00:00:00.000Z is more than eventTimeMaxAgeMs=604800000 (7 d) older than the wall clock (2026-12-03T13:00:00.000Z)',
  });
});

test("stream bounds: age is measured from the partition's low watermark; the wall clock still bounds the future", () => {
  const p = compileEventTimeOptions({ reference: 'stream' });
  assert.equal(checkEventTime(H10, p, NOW, undefined), undefined, 'a first record of last month passes');
  assert.equal(checkEventTime(H10, p, NOW, H10 + HOUR_MS), undefined);
  assert.equal(checkEventTime(Date.UTC(1999, 0, 1), p, NOW, H10)?.reason, 'too_old');
  assert.match(checkEventTime(Date.UTC(1999, 0, 1), p, NOW, H10)!.message, /older than its partition's low watermark \(2026-11-22T10:00:00.000Z\)/);
  assert.equal(checkEventTime(Date.UTC(2099, 0, 1), p, NOW, H10)?.reason, 'ahead');
  assert.equal(describeDuration(1500), '1500 ms');
});

test('the low watermark: the slowest partition that is not idle; never back; all idle lets the highest through', () => {
  const w = new PartitionWatermarks(1000);
  assert.equal(w.low(0), -Infinity);
  w.observe('t/0', H10 + 50 * 60_000, 0);
  w.observe('t/1', H10 + 20 * 60_000, 0);
  w.observe('t/0', H10 + 10 * 60_000, 0);
  assert.equal(w.of('t/0'), H10 + 50 * 60_000, 'an earlier record does not move a watermark back');
  assert.equal(w.low(500), H10 + 20 * 60_000, 'the hour closes on the slowest partition');
  w.observe('t/0', H10 + 80 * 60_000, 1200);
  assert.equal(w.low(1200), H10 + 80 * 60_000, 't/1 is idle past 1000 ms: it holds nothing back');
  w.observe('t/1', H10 + 21 * 60_000, 1300);
  assert.equal(w.low(1300), H10 + 80 * 60_000, 'back from idle behind the watermark: the watermark stays');
  assert.equal(lowWatermarkOf([{ watermark: 5, seenAt: 0 }, { watermark: 9, seenAt: 0 }], 10_000, 1000), 9, 'all idle: the highest');
});

test('an hour closes once the watermark is the allowed lateness past its end', () => {
  assert.equal(openHourOf(H10 + HOUR_MS + 599_999, 600_000), H10);
  assert.equal(openHourOf(H10 + HOUR_MS + 600_000, 600_000), H10 + HOUR_MS);
  assert.equal(isClosedBy(H10 + HOUR_MS, H10 + HOUR_MS + 599_999, 600_000), false);
  assert.equal(isClosedBy(H10 + HOUR_MS, H10 + HOUR_MS + 600_000, 600_000), true);
  assert.equal(openHourOf(-Infinity, 0), -Infinity);
});

test('upstream watermarks: the lowest of every task, none until each has sent one, never back', () => {
  const u = new UpstreamWatermarks();
  u.update(1, 500);
  assert.equal(u.low([1, 2]), -Infinity);
  u.update(2, 300);
  assert.equal(u.low([1, 2]), 300);
  u.update(2, 200);
  assert.equal(u.low([1, 2]), 300);
  u.update(2, 900);
  assert.equal(u.low([1, 2]), 500);
});

test('a partition expected after a restart holds the low watermark until its first record, or until it is idle', () => {
  const w = new PartitionWatermarks(60_000);
  w.expect('t/1', NOW);
  w.observe('t/0', H10 + 2 * HOUR_MS, NOW);
  assert.equal(w.low(NOW), -Infinity, 't/1 has not sent anything yet: nothing closes on t/0 alone');
  assert.equal(w.of('t/1'), undefined);
  w.observe('t/1', H10 + 5 * 60_000, NOW + 1000);
  assert.equal(w.low(NOW + 1000), H10 + 5 * 60_000, 'the slowest partition, once heard from');
  w.expect('t/2', NOW + 1000);
  w.expect('t/0', NOW + 1000);
  assert.equal(w.of('t/0'), H10 + 2 * HOUR_MS, 'expecting a partition already seen changes nothing');
  assert.equal(w.low(NOW + 70_000), H10 + 2 * HOUR_MS, 't/2 never came: idle, it holds nothing (nor does t/1 now)');
  assert.deepEqual(w.sources().sort(), ['t/0', 't/1', 't/2']);
});
