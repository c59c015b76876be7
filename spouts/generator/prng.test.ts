import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Mulberry32, weightedTable } from './prng.js';

test('same seed, same sequence; different seed, different sequence', () => {
  const a = new Mulberry32(42);
  const b = new Mulberry32(42);
  const c = new Mulberry32(43);
  const xs = Array.from({ length: 100 }, () => a.nextUint32());
  assert.deepEqual(Array.from({ length: 100 }, () => b.nextUint32()), xs);
  assert.notDeepEqual(Array.from({ length: 100 }, () => c.nextUint32()), xs);
});

test('floats in [0, 1) with a sane mean; ints in range', () => {
  const r = new Mulberry32(1);
  let sum = 0;
  for (let i = 0; i < 100_000; i++) {
    const x = r.next();
    assert.ok(x >= 0 && x < 1);
    sum += x;
  }
  assert.ok(Math.abs(sum / 100_000 - 0.5) < 0.01);
  for (let i = 0; i < 1000; i++) {
    const n = r.range(3, 5);
    assert.ok(n >= 3 && n <= 5 && Number.isInteger(n));
  }
});

test('weighted picks follow weights', () => {
  const r = new Mulberry32(7);
  const table = weightedTable([['a', 3], ['b', 1]] as const);
  let a = 0;
  for (let i = 0; i < 40_000; i++) if (r.weighted(table) === 'a') a++;
  assert.ok(Math.abs(a / 40_000 - 0.75) < 0.02, String(a));
});
