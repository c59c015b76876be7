import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExponentialBackoff, RetryQueue } from './retry-policy.js';

describe('ExponentialBackoff', () => {
  it('multiplies the delay per retry and caps it at maxDelayMs', () => {
    const b = new ExponentialBackoff({ initialDelayMs: 100, multiplier: 2, maxDelayMs: 1000, maxRetries: 10 });
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((r) => b.delayMs(r)), [100, 200, 400, 800, 1000, 1000]);
    assert.equal(b.delayMs(5000), 1000, 'huge retry counts do not overflow');
  });

  it('allows maxRetries retries after the first failure', () => {
    const b = new ExponentialBackoff({ initialDelayMs: 0, multiplier: 1, maxDelayMs: 0, maxRetries: 2 });
    assert.deepEqual([1, 2, 3].map((f) => b.canRetry(f)), [true, true, false]);
    const never = new ExponentialBackoff({ initialDelayMs: 0, multiplier: 1, maxDelayMs: 0, maxRetries: 0 });
    assert.equal(never.canRetry(1), false);
    const forever = new ExponentialBackoff({ initialDelayMs: 0, multiplier: 1, maxDelayMs: 0, maxRetries: Infinity });
    assert.equal(forever.canRetry(1e9), true);
  });
});

describe('RetryQueue', () => {
  it('hands out due items in due order, ties in scheduling order, up to a maximum', () => {
    const q = new RetryQueue<string>();
    q.schedule('c', 30);
    q.schedule('a', 10);
    q.schedule('b1', 20);
    q.schedule('b2', 20);
    assert.equal(q.nextDueAt(), 10);
    assert.deepEqual(q.takeDue(5), []);
    assert.deepEqual(q.takeDue(20, 2), ['a', 'b1']);
    assert.deepEqual(q.takeDue(100), ['b2', 'c']);
    assert.equal(q.size, 0);
    assert.equal(q.nextDueAt(), undefined);
  });

  it('removes items by predicate', () => {
    const q = new RetryQueue<number>();
    for (let i = 0; i < 6; i++) q.schedule(i, i);
    assert.equal(q.removeWhere((i) => i % 2 === 0), 3);
    assert.deepEqual(q.takeDue(10), [1, 3, 5]);
  });
});
