import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OffsetRanges } from './offset-ranges.js';

describe('OffsetRanges', () => {
  it('keeps contiguous offsets as one range', () => {
    const s = new OffsetRanges();
    for (let i = 100; i < 200; i++) assert.equal(s.add(i), true);
    assert.deepEqual(s.ranges(), [[100, 199]]);
    assert.equal(s.size, 100);
    assert.equal(s.contiguous, true);
    assert.equal(s.add(150), false);
  });

  it('tracks gaps, merges them when filled, and answers membership exactly', () => {
    const s = new OffsetRanges();
    for (const o of [5, 1, 3, 10, 2]) s.add(o);
    assert.deepEqual(s.ranges(), [[1, 3], [5, 5], [10, 10]]);
    assert.equal(s.contiguous, false);
    assert.equal(s.has(4), false);
    assert.equal(s.has(5), true);
    s.add(4);
    assert.deepEqual(s.ranges(), [[1, 5], [10, 10]]);
    s.addRange(6, 9);
    assert.deepEqual(s.ranges(), [[1, 10]]);
    assert.equal(s.size, 10);
    s.addRange(0, 20);
    assert.deepEqual(s.ranges(), [[0, 20]]);
    assert.equal(s.size, 21);
  });

  it('finds the next missing offset', () => {
    const s = OffsetRanges.of([[0, 9], [12, 20]]);
    assert.equal(s.nextMissing(0), 10);
    assert.equal(s.nextMissing(10), 10);
    assert.equal(s.nextMissing(12), 21);
    assert.equal(s.nextMissing(50), 50);
    const t = new OffsetRanges();
    t.addAll(s);
    assert.deepEqual(t.ranges(), s.ranges());
    assert.equal(s.min, 0);
    assert.equal(s.max, 20);
  });
});
