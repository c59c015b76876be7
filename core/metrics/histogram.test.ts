import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LATENCY_BUCKETS, Histogram } from './registry.js';

test('a histogram counts each value in the first bucket whose bound is at least the value', () => {
  const h = new Histogram([1, 2, 5, 10]);
  for (const v of [0, 1, 1.5, 2, 3, 5, 7, 10, 11, 1e9]) h.observe(v);
  // buckets: ≤1, ≤2, ≤5, ≤10, +Inf
  assert.deepEqual([...h.counts], [2, 2, 2, 2, 2]);
  assert.equal(h.count, 10);
  assert.equal(h.sum, 0 + 1 + 1.5 + 2 + 3 + 5 + 7 + 10 + 11 + 1e9);
});

test('every default latency bucket receives its own bound, and its neighbours go either side', () => {
  const h = new Histogram();
  DEFAULT_LATENCY_BUCKETS.forEach((b, i) => {
    h.observe(b);
    assert.equal(h.counts[i], 1, `bound ${b} lands in bucket ${i}`);
  });
  h.observe(61);
  assert.equal(h.counts[DEFAULT_LATENCY_BUCKETS.length], 1, 'past the last bound: +Inf');
  assert.equal(h.quantile(0.5), DEFAULT_LATENCY_BUCKETS[9]);
});
