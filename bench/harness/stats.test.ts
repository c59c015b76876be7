import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpuNsPerTuple, median, parseMeasurement, ratio, summarize, throughput } from './stats.js';

test('median of odd and even samples, in any order', () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([7]), 7);
  assert.throws(() => median([]), /empty sample/);
});

test('summarize skips failed rounds and gives min, max and count', () => {
  assert.deepEqual(summarize([3, Number.NaN, 1, 2, Infinity]), { median: 2, min: 1, max: 3, n: 3 });
  assert.equal(summarize([Number.NaN]), undefined);
});

test('ratio is of the medians, and undefined without a baseline', () => {
  const a = summarize([10, 30, 20])!;
  const b = summarize([5, 4, 6])!;
  assert.equal(ratio(a, b), 4);
  assert.equal(ratio(a, undefined), undefined);
  assert.equal(ratio(a, summarize([0])), undefined);
});

test('throughput and CPU per tuple from one measurement', () => {
  const m = { tuples: 2_000_000, wallMs: 1000, cpuMs: 1500 };
  assert.equal(throughput(m), 2_000_000);
  assert.equal(cpuNsPerTuple(m), 750);
});

test('the last JSON line of a child is its measurement; none is an error that shows the output', () => {
  const out = 'downloading…\n{"tuples":1,"wallMs":2,"cpuMs":3}\nlog line\n{"tuples":4,"wallMs":5,"cpuMs":6}\n';
  assert.deepEqual(parseMeasurement(out), { tuples: 4, wallMs: 5, cpuMs: 6 });
  assert.throws(() => parseMeasurement('oops\n'), /no measurement.*oops/s);
});
