import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCodes, SquallError } from '../../core/index.js';
import { SequenceLedger } from './sequence-ledger.js';
import { compileSequenceResetRule } from './sequence-reset-rule.js';
import type { SequenceStatsRow } from './sequence-stats.js';

const H10 = Date.UTC(2026, 10, 22, 10);
const H11 = Date.UTC(2026, 10, 22, 11);
const H12 = Date.UTC(2026, 10, 22, 12);
const rule = compileSequenceResetRule();

/** Feeds `[sequence, time]` pairs of one host, then closes every hour. */
function run(pairs: readonly (readonly [number, number])[], ledger = new SequenceLedger(rule)): SequenceStatsRow[] {
  for (const [s, t] of pairs) ledger.add('cp1', s, t, false);
  return ledger.closeBefore(ledger.openThrough);
}
const range = (from: number, to: number, time: number) => Array.from({ length: to - from + 1 }, (_, i) => [from + i, time] as const);
const totals = (rows: SequenceStatsRow[]) => ({
  lost: rows.reduce((n, r) => n + r.count_lost, 0),
  duplicate: rows.reduce((n, r) => n + r.count_duplicate, 0),
  resets: rows.reduce((n, r) => n + r.count_resets, 0),
  late: rows.reduce((n, r) => n + r.count_late, 0),
});

test('a complete run loses nothing; the record follows Wikimedia’s fields', () => {
  const [row] = run(range(100, 199, H10));
  assert.deepEqual(row, {
    hostname: 'cp1', hour_start: H10, min_sequence: 100, max_sequence: 199, count_actual: 100, count_expected: 100, count_distinct: 100,
    count_different: 0, count_duplicate: 0, count_lost: 0, percent_lost: 0, count_incomplete: 0, count_resets: 0, count_late: 0,
  });
});

test('a gap between one hour’s last number and the next hour’s first is counted in the later hour', () => {
  const rows = run([...range(1, 10, H10), ...range(12, 20, H11)]);
  assert.deepEqual(rows.map((r) => [r.hour_start, r.count_expected, r.count_lost]), [[H10, 10, 0], [H11, 10, 1]]);
});

test('a host’s memory of its last number carries over closed hours', () => {
  const ledger = new SequenceLedger(rule);
  for (const [s, t] of range(1, 10, H10)) ledger.add('cp1', s, t, false);
  assert.deepEqual(ledger.closeBefore(H11).map((r) => r.count_lost), [0]);
  for (const [s, t] of range(13, 20, H11)) ledger.add('cp1', s, t, false);
  assert.deepEqual(ledger.closeBefore(H12).map((r) => [r.count_expected, r.count_lost]), [[10, 2]]);
});

test('stragglers across the boundary (a lower number in the later hour) lose nothing, and numbers are not counted twice', () => {
  const rows = run([...range(1, 8, H10), [10, H10], [9, H11], ...range(11, 20, H11)]);
  assert.deepEqual(totals(rows), { lost: 0, duplicate: 0, resets: 0, late: 0 });
  assert.deepEqual(rows.map((r) => r.count_expected).reduce((a, b) => a + b), 20);
});

test('a counter restarting from 1: one reset, no duplicates, no loss; a loss after the reset is counted', () => {
  const ledger = new SequenceLedger(rule);
  for (const [s, t] of range(1, 10_000, H10)) ledger.add('cp1', s, t, false);
  const reset = ledger.add('cp1', 1, H10 + 5, false);
  assert.deepEqual(reset, { hostname: 'cp1', from: 10_000, to: 1 });
  assert.deepEqual(totals(run(range(2, 5_000, H11), ledger)), { lost: 0, duplicate: 0, resets: 1, late: 0 });

  const lossy = [...range(1, 10_000, H10), ...range(1, 5_000, H10).filter(([s]) => s % 10 !== 5)];
  assert.deepEqual(totals(run(lossy)), { lost: 500, duplicate: 0, resets: 1, late: 0 });
});

test('a duplicate arriving 5,000 numbers late, in a counter far above its start, is a duplicate, not a restart', () => {
  const input = [...range(2_000_001, 2_010_000, H10), [2_005_000, H10] as const, ...range(2_010_001, 2_011_000, H10)];
  assert.deepEqual(totals(run(input)), { lost: 0, duplicate: 1, resets: 0, late: 0 });
});

test('a straggler of the run before a restart fills its hole there, not a gap in the new run', () => {
  const input = [...range(1, 10_000, H10).filter(([s]) => s !== 9_990), ...range(1, 500, H10), [9_990, H10] as const, ...range(501, 600, H10)];
  assert.deepEqual(totals(run(input)), { lost: 0, duplicate: 0, resets: 1, late: 0 });
});

test('a counter restarting at the Unix time × 10⁶ is a reset, not 1.8e15 lost', () => {
  const start = Math.floor(H10 / 1000) * 1_000_000;
  const rows = run([...range(1, 30_000, H10), ...range(start, start + 999, H10).filter(([s]) => s !== start + 500)]);
  assert.deepEqual(totals(rows), { lost: 1, duplicate: 0, resets: 1, late: 0 });
});

test('the same line twice is a duplicate; a reordered straggler is neither a duplicate nor a reset', () => {
  assert.deepEqual(totals(run([...range(1, 5_000, H10), [4_990, H10], ...range(5_001, 6_000, H10)])), { lost: 0, duplicate: 1, resets: 0, late: 0 });
  const reordered = range(1, 10_000, H10).filter(([s]) => s !== 3_000);
  assert.deepEqual(totals(run([...reordered, [3_000, H10]])), { lost: 0, duplicate: 0, resets: 0, late: 0 });
});

test('a number arriving after its hour closed is reported late in the open hour; the closed hour’s totals stand', () => {
  const ledger = new SequenceLedger(rule);
  for (const [s, t] of range(1, 10, H10)) if (s !== 5) ledger.add('cp1', s, t, false);
  const [h10] = ledger.closeBefore(H11);
  assert.equal(h10!.count_lost, 1);
  ledger.add('cp1', 5, H10 + 1, false);
  for (const [s, t] of range(11, 20, H11)) ledger.add('cp1', s, t, false);
  const [h11] = ledger.closeBefore(H12);
  assert.deepEqual([h11!.hour_start, h11!.count_late, h11!.count_lost, h11!.count_actual, h11!.count_expected], [H11, 1, 0, 11, 10]);
  // A second copy of 5, and a new number, both with the time of a closed hour: counted in the open one, as late.
  ledger.add('cp1', 5, H11, false);
  ledger.add('cp1', 21, H10 + 7, false);
  const [h12] = ledger.closeBefore(Date.UTC(2026, 10, 22, 13));
  assert.deepEqual([h12!.hour_start, h12!.count_actual, h12!.count_duplicate, h12!.count_late, h12!.count_expected, h12!.count_lost], [H12, 2, 1, 2, 1, 0]);
});

test('a ledger saved and loaded carries on as if it had not stopped', () => {
  const input = [...range(1, 70_000, H10), ...range(70_002, 80_000, H11), ...range(1, 100, H11)];
  const whole = run(input);
  const first = new SequenceLedger(rule);
  for (const [s, t] of input.slice(0, 75_000)) first.add('cp1', s, t, false);
  first.closeBefore(H11);
  const loaded = SequenceLedger.fromJSON(JSON.parse(JSON.stringify(first.toJSON())), rule);
  const rest = run(input.slice(75_000), loaded);
  assert.deepEqual(rest, whole.filter((r) => r.hour_start === H11));
  assert.deepEqual(totals(whole), { lost: 1, duplicate: 0, resets: 1, late: 0 });
});

test('reset thresholds are whole numbers; a bad one says which key to set', () => {
  assert.deepEqual(compileSequenceResetRule({ drop: 50 }), { jump: 1_000_000_000, drop: 50, below: 1_000_000 });
  assert.throws(() => compileSequenceResetRule({ below: 0 }), /sequenceResetBelow must be a whole number/);
  assert.throws(() => compileSequenceResetRule({ jump: 0 }), (e: unknown) => e instanceof SquallError && e.code === ErrorCodes.INVALID_CONFIG && /sequenceResetJump/.test(e.message));
  assert.throws(() => compileSequenceResetRule({ drop: 1.5 }), /-c sequenceResetDrop=<n>/);
});
