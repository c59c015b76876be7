import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LruCache } from './lru-cache.js';

test('recently used entries survive; the rest are evicted', () => {
  const c = new LruCache<string, number>(4);
  c.set('a', 1);
  c.set('b', 2);
  c.set('c', 3); // young {c}, old {a, b}
  assert.equal(c.get('a'), 1); // a promoted: young {c, a}
  c.set('d', 4); // young {d}, old {c, a}; b dropped
  assert.equal(c.get('b'), undefined);
  assert.equal(c.get('a'), 1); // young {d, a}, old {c}
  assert.equal(c.get('c'), 3); // young {c}, old {d, a}
  assert.equal(c.get('d'), 4);
  assert.equal(c.get('a'), 1);
  assert.ok(c.size <= 4);
});

test('never holds more than max entries, and keeps the last max/2', () => {
  const c = new LruCache<number, number>(100);
  for (let i = 0; i < 10_000; i++) {
    c.set(i, i * 2);
    assert.ok(c.size <= 100);
  }
  for (let i = 10_000 - 50; i < 10_000; i++) assert.equal(c.get(i), i * 2);
});

test('set replaces a value', () => {
  const c = new LruCache<string, number>(4);
  c.set('a', 1);
  c.set('b', 2);
  c.set('c', 3);
  c.set('a', 10);
  c.set('c', 30);
  assert.equal(c.get('a'), 10);
  assert.equal(c.get('c'), 30);
  c.clear();
  assert.equal(c.size, 0);
  assert.equal(c.get('a'), undefined);
});

test('rejects a bad size', () => {
  assert.throws(() => new LruCache(1), RangeError);
  assert.throws(() => new LruCache(2.5), RangeError);
});
