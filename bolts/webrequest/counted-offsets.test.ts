import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CountedOffsets } from './counted-offsets.js';
import { SequenceBitset } from './sequence-bitset.js';

test('counted offsets: each position once, in any order, ranges merged, saved and loaded', () => {
  const set = new CountedOffsets();
  const order = [5, 1, 3, 2, 9, 4, 7, 8, 6, 0, 12];
  for (const n of order) assert.equal(set.add('t/0', n), true, `first time ${n}`);
  for (const n of order) assert.equal(set.add('t/0', n), false, `again ${n}`);
  assert.equal(set.add('t/1', 5), true, 'another partition is another position');
  assert.deepEqual(set.toJSON(), { 't/0': [0, 9, 12, 12], 't/1': [5, 5] });
  const loaded = CountedOffsets.fromJSON(JSON.parse(JSON.stringify(set.toJSON())));
  assert.equal(loaded.add('t/0', 11), true);
  assert.equal(loaded.add('t/0', 10), true);
  assert.deepEqual(loaded.toJSON()['t/0'], [0, 12]);
  assert.equal(loaded.has('t/0', 12) && !loaded.has('t/0', 13), true);
});

test('sequence bitset: counts between bounds across chunks, far-apart numbers, a floor, saved and loaded', () => {
  const set = new SequenceBitset();
  const far = 1_795_341_600_000_000;
  for (const n of [0, 65_535, 65_536, 131_071, 200_000, far, far + 1]) assert.equal(set.add(n), true);
  assert.equal(set.add(65_536), false);
  assert.equal(set.countBetween(1, 200_000), 4);
  assert.equal(set.countBetween(far, far + 5), 2);
  const loaded = SequenceBitset.fromJSON(JSON.parse(JSON.stringify(set.toJSON())));
  assert.equal(loaded.countBetween(0, far + 1), 7);
  loaded.dropBelow(131_072);
  assert.equal(loaded.floor, 131_072);
  assert.equal(loaded.has(65_536), false);
  assert.equal(loaded.countBetween(0, far + 1), 3);
});
