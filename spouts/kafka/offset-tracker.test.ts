import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OffsetTracker } from './offset-tracker.js';

describe('OffsetTracker', () => {
  it('commits only the contiguous prefix of done offsets when acks come out of order', () => {
    const t = new OffsetTracker();
    for (let o = 10; o < 15; o++) t.track(o);
    assert.deepEqual(t.commitPoint(), { offset: 10, seq: 0 });
    assert.equal(t.done(12), true);
    assert.equal(t.done(14), true);
    assert.deepEqual(t.commitPoint(), { offset: 10, seq: 0 }, '10 is not done, so nothing moves');
    assert.equal(t.done(10), true);
    assert.deepEqual(t.commitPoint(), { offset: 11, seq: 1 });
    assert.equal(t.done(11), true);
    assert.deepEqual(t.commitPoint(), { offset: 13, seq: 3 }, '11 and the waiting 12 join the prefix');
    assert.equal(t.done(13), true);
    assert.deepEqual(t.commitPoint(), { offset: 15, seq: 5 }, 'all done: the next offset to read');
    assert.equal(t.inFlight, 0);
  });

  it('skips gaps in the offsets it took (compaction, transaction markers)', () => {
    const t = new OffsetTracker();
    for (const o of [3, 7, 8, 20]) t.track(o);
    t.done(7);
    assert.equal(t.commitPoint()!.offset, 3);
    t.done(3);
    assert.equal(t.commitPoint()!.offset, 8);
    t.done(8);
    t.done(20);
    assert.equal(t.commitPoint()!.offset, 21);
  });

  it('ignores offsets that are unknown, already done or below the prefix', () => {
    const t = new OffsetTracker();
    t.track(0);
    t.track(1);
    t.track(2);
    assert.equal(t.done(5), false, 'never taken');
    assert.equal(t.done(2), true);
    assert.equal(t.done(2), false, 'a second ack of the same offset');
    assert.equal(t.done(0), true);
    assert.equal(t.done(0), false, 'below the prefix');
    assert.equal(t.isInFlight(1), true);
    assert.equal(t.isInFlight(2), false);
    assert.equal(t.inFlight, 1);
  });

  it('counts uncommitted offsets until a commit covers them, and only offers new commit points', () => {
    const t = new OffsetTracker(100);
    assert.deepEqual(t.pendingCommit(), { offset: 100, seq: 0 }, 'a sought position is committable before anything is read');
    for (let o = 100; o < 110; o++) t.track(o);
    for (let o = 100; o < 104; o++) t.done(o);
    assert.equal(t.uncommitted, 10);
    assert.equal(t.committable, 4);
    const point = t.pendingCommit()!;
    assert.deepEqual(point, { offset: 104, seq: 4 });
    t.done(104); // acked while the commit was in flight
    t.committed(point);
    assert.equal(t.committedOffset, 104);
    assert.equal(t.uncommitted, 6);
    assert.equal(t.committable, 1);
    assert.deepEqual(t.pendingCommit(), { offset: 105, seq: 5 });
    t.committed({ offset: 105, seq: 5 });
    assert.equal(t.pendingCommit(), undefined, 'nothing new to commit');
    t.committed(point);
    assert.equal(t.committedOffset, 105, 'a late, older commit result never moves the commit back');
  });

  it('has no commit point while the read position is unknown', () => {
    const t = new OffsetTracker();
    assert.equal(t.commitPoint(), undefined);
    assert.equal(t.pendingCommit(), undefined);
  });

  it('rejects offsets going backwards and seeks after records were taken', () => {
    const t = new OffsetTracker();
    t.track(5);
    assert.throws(() => t.track(5), RangeError);
    assert.throws(() => t.track(4), RangeError);
    assert.throws(() => t.seek(0), RangeError);
    const s = new OffsetTracker();
    s.seek(42);
    assert.equal(s.nextOffset, 42);
    assert.throws(() => s.track(41), RangeError);
  });

  it('stays correct across queue compaction with many offsets', () => {
    const t = new OffsetTracker();
    const n = 10_000;
    for (let o = 0; o < n; o++) t.track(o * 2);
    // Ack every offset but the first, in reverse, then the first.
    for (let i = n - 1; i >= 1; i--) t.done(i * 2);
    assert.equal(t.commitPoint()!.offset, 0);
    t.done(0);
    assert.deepEqual(t.commitPoint(), { offset: n * 2 - 1, seq: n });
    t.track(n * 2 + 10);
    assert.equal(t.commitPoint()!.offset, n * 2 + 10);
  });
});
