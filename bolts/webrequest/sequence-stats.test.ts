import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SequenceStatsAccumulator, type SequenceStatsRow } from './sequence-stats.js';

const H10 = Date.UTC(2026, 10, 22, 10);
const H11 = Date.UTC(2026, 10, 22, 11);

const only = (acc: SequenceStatsAccumulator): SequenceStatsRow => {
  const rows = acc.rows();
  assert.equal(rows.length, 1);
  return rows[0]!;
};

test('a complete run loses nothing', () => {
  const acc = new SequenceStatsAccumulator();
  for (let s = 100; s < 200; s++) acc.add('cp1', s, H10 + s);
  assert.deepEqual(only(acc), {
    hostname: 'cp1',
    hour_start: H10,
    min_sequence: 100,
    max_sequence: 199,
    count_actual: 100,
    count_expected: 100,
    count_distinct: 100,
    count_different: 0,
    count_duplicate: 0,
    count_lost: 0,
    percent_lost: 0,
    count_incomplete: 0,
  });
});

test('gaps', () => {
  const acc = new SequenceStatsAccumulator();
  for (const s of [1, 2, 3, 7, 8, 10]) acc.add('cp1', s, H10);
  const r = only(acc);
  assert.equal(r.count_expected, 10);
  assert.equal(r.count_actual, 6);
  assert.equal(r.count_different, 4);
  assert.equal(r.count_duplicate, 0);
  assert.equal(r.count_lost, 4);
  assert.equal(r.percent_lost, 40);
});

test('duplicates hide losses in the difference but not in count_lost', () => {
  const acc = new SequenceStatsAccumulator();
  for (const s of [1, 2, 2, 2, 5]) acc.add('cp1', s, H10);
  const r = only(acc);
  assert.equal(r.count_expected, 5);
  assert.equal(r.count_actual, 5);
  assert.equal(r.count_distinct, 3);
  assert.equal(r.count_different, 0);
  assert.equal(r.count_duplicate, 2);
  assert.equal(r.count_lost, 2);
  assert.equal(r.percent_lost, 40);
});

test('out of order, across chunk boundaries, and incomplete records', () => {
  const acc = new SequenceStatsAccumulator();
  const seqs = [200_000, 65_535, 65_536, 131_072, 65_537, 65_536];
  for (const s of seqs) acc.add('cp1', s, H10, s === 131_072);
  const r = only(acc);
  assert.equal(r.min_sequence, 65_535);
  assert.equal(r.max_sequence, 200_000);
  assert.equal(r.count_expected, 200_000 - 65_535 + 1);
  assert.equal(r.count_distinct, 5);
  assert.equal(r.count_duplicate, 1);
  assert.equal(r.count_lost, r.count_expected - 5);
  assert.equal(r.count_incomplete, 1);
});

test('hosts and hours are kept apart and sorted by hour then host', () => {
  const acc = new SequenceStatsAccumulator();
  acc.add('cp2', 5, H10 + 10);
  acc.add('cp1', 1, H11 + 10);
  acc.add('cp1', 9, H10 + 3_599_999);
  acc.add('cp2', 6, H10);
  const rows = acc.rows().map((r) => [r.hostname, r.hour_start, r.count_actual]);
  assert.deepEqual(rows, [
    ['cp1', H10, 1],
    ['cp2', H10, 2],
    ['cp1', H11, 1],
  ]);
});

test('merging partial accumulators equals one accumulator over everything', () => {
  const whole = new SequenceStatsAccumulator();
  const parts = [new SequenceStatsAccumulator(), new SequenceStatsAccumulator(), new SequenceStatsAccumulator()];
  let x = 12345;
  for (let i = 0; i < 5000; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const host = `cp${x % 3}`;
    const seq = (x >>> 8) % 150_000;
    const time = H10 + ((x >>> 4) % 2) * 3_600_000;
    whole.add(host, seq, time, x % 97 === 0);
    parts[i % 3]!.add(host, seq, time, x % 97 === 0);
  }
  const merged = new SequenceStatsAccumulator().merge(parts[0]!).merge(parts[1]!).merge(parts[2]!);
  assert.deepEqual(merged.rows(), whole.rows());
  // Merging again double-counts records but not distinct sequence numbers.
  merged.merge(parts[0]!);
  const before = whole.rows()[0]!;
  const after = merged.rows()[0]!;
  assert.equal(after.count_distinct, before.count_distinct);
  assert.ok(after.count_actual >= before.count_actual);
});

test('flushBefore returns and drops finished hours', () => {
  const acc = new SequenceStatsAccumulator();
  acc.add('cp1', 1, H10);
  acc.add('cp1', 2, H11);
  const flushed = acc.flushBefore(H11);
  assert.deepEqual(flushed.map((r) => r.hour_start), [H10]);
  assert.deepEqual(acc.rows().map((r) => r.hour_start), [H11]);
  acc.add('cp1', 3, H11);
  assert.equal(acc.rows()[0]!.count_actual, 2);
});

test('rejects bad sequence numbers', () => {
  const acc = new SequenceStatsAccumulator();
  assert.throws(() => acc.add('cp1', -1, H10), RangeError);
  assert.throws(() => acc.add('cp1', 1.5, H10), RangeError);
});
