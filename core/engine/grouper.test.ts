import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ErrorCodes } from '../errors.js';
import { all, custom, direct, fields, global, localOrShuffle, partialKey, shuffle, type Grouping } from '../topology/grouping.js';
import { createGrouper, type TargetInfo } from './grouper.js';
import { hashValues } from './hash.js';

const TARGETS = [4, 5, 6, 7];
const idle: TargetInfo = { load: () => 0, isLocal: () => true };

function grouper(g: Grouping, info: TargetInfo = idle, streamFields: readonly string[] = ['word', 'n'], targets = TARGETS) {
  return createGrouper(g, targets, streamFields, info, `'src' -> 'sink'`);
}

/** Chooses `n` times and counts the tasks picked. */
function tally(choose: () => number, n: number): Map<number, number> {
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const task = choose();
    counts.set(task, (counts.get(task) ?? 0) + 1);
  }
  return counts;
}

describe('shuffle grouping', () => {
  test('spreads tuples exactly evenly over idle tasks', () => {
    const g = grouper(shuffle());
    const counts = tally(() => g.choose(['a', 1]), 4000);
    assert.deepEqual([...counts.entries()].sort(), [[4, 1000], [5, 1000], [6, 1000], [7, 1000]]);
  });

  test('steers away from a task whose queue is fuller', () => {
    const load = new Map([[4, 0.1], [5, 0.9], [6, 0.2], [7, 0.3]]);
    const g = grouper(shuffle(), { load: (t) => load.get(t)!, isLocal: () => true });
    const counts = tally(() => g.choose(['a', 1]), 3000);
    assert.equal(counts.get(5), undefined, 'the busy task got nothing while others had room');
    assert.deepEqual([counts.get(4), counts.get(6), counts.get(7)], [1000, 1000, 1000]);
  });

  test('when every task is busy, picks the least loaded one', () => {
    const load = new Map([[4, 0.8], [5, 0.6], [6, 0.95], [7, 0.7]]);
    const g = grouper(shuffle(), { load: (t) => load.get(t)!, isLocal: () => true });
    assert.deepEqual([...tally(() => g.choose(['a', 1]), 100)], [[5, 100]]);
  });

  test('one target always gets everything', () => {
    const g = grouper(shuffle(), { load: () => 1, isLocal: () => true }, ['word', 'n'], [9]);
    assert.deepEqual([...tally(() => g.choose(['a', 1]), 10)], [[9, 10]]);
  });
});

describe('fields grouping', () => {
  test('the same key always goes to the same task, whatever the other fields', () => {
    const g = grouper(fields('word'));
    for (const word of ['apple', 'pear', 'kiwi', '', 'ü']) {
      const tasks = new Set(Array.from({ length: 50 }, (_, n) => g.choose([word, n])));
      assert.equal(tasks.size, 1, `'${word}' went to ${[...tasks].join(', ')}`);
    }
  });

  test('keys spread over every task', () => {
    const g = grouper(fields('word'));
    let i = 0;
    const counts = tally(() => g.choose([`key-${i++}`, 0]), 4000);
    assert.deepEqual([...counts.keys()].sort(), TARGETS);
    // 1000 expected per task; ±200 is more than 7 standard deviations.
    for (const [task, n] of counts) assert.ok(n > 800 && n < 1200, `task ${task} got ${n} of 4000 keys`);
  });

  test('groups by several fields', () => {
    const g = grouper(fields('n', 'word'));
    assert.equal(g.choose(['x', 1]), g.choose(['x', 1]));
    const byPair = new Set(Array.from({ length: 200 }, (_, i) => g.choose(['x', i])));
    assert.ok(byPair.size > 1, 'a different n should be able to move the key');
  });

  test('the hash is stable: pinned values, identical in every process and release', () => {
    // Workers in different processes must agree on where a key goes: these values must never change.
    assert.equal(hashValues(['apple'], [0]), 2126683211);
    assert.equal(hashValues(['banana', 42], [0, 1]), 1129572781);
    assert.equal(hashValues([7], [0]), 1841190527);
    assert.equal(hashValues([{ a: 1 }], [0]), 2027906339);
    assert.equal(hashValues(['apple'], [0], 0x5bd1e995), 3925192428);
    assert.equal(grouper(fields('word')).choose(['apple', 0]), TARGETS[2126683211 % 4]);
  });
});

describe('partialKey grouping', () => {
  const g4 = () => grouper(partialKey('word'));

  test('each key goes to at most two tasks', () => {
    const g = g4();
    const seen = new Map<string, Set<number>>();
    for (let round = 0; round < 20; round++) {
      for (let k = 0; k < 200; k++) {
        const key = `k${k}`;
        const set = seen.get(key) ?? new Set();
        set.add(g.choose([key, round]));
        seen.set(key, set);
      }
    }
    for (const [key, tasks] of seen) assert.ok(tasks.size <= 2, `${key} went to ${[...tasks].join(', ')}`);
    assert.ok([...seen.values()].some((s) => s.size === 2), 'some key was split over two tasks');
  });

  test('a skewed key is split evenly over its two tasks', () => {
    // A key with two distinct candidates: a fresh grouper sends its second copy elsewhere.
    const hot = Array.from({ length: 20 }, (_, i) => `hot${i}`).find((k) => {
      const g = g4();
      return g.choose([k, 0]) !== g.choose([k, 0]);
    })!;
    const g = g4();
    const counts = tally(() => g.choose([hot, 0]), 1000);
    assert.deepEqual([...counts.values()], [500, 500]);
    // Fields grouping would have put all 1000 on one task.
    const f = grouper(fields('word'));
    assert.equal(tally(() => f.choose([hot, 0]), 1000).size, 1);
  });

  test('with a hot key among cold ones, the busiest task carries far less than the hot key', () => {
    const hot = Array.from({ length: 20 }, (_, i) => `hot${i}`).find((k) => {
      const g = g4();
      return g.choose([k, 0]) !== g.choose([k, 0]);
    })!;
    const run = (g: ReturnType<typeof g4>) => {
      const counts = new Map<number, number>();
      for (let i = 0; i < 8000; i++) {
        const task = g.choose([i % 2 === 0 ? hot : `cold${i}`, 0]);
        counts.set(task, (counts.get(task) ?? 0) + 1);
      }
      return Math.max(...counts.values()) / 8000;
    };
    assert.ok(run(grouper(fields('word'))) >= 0.5, 'fields puts the hot half on one task');
    const share = run(g4());
    assert.ok(share < 0.4, `partialKey's busiest task had ${share}`);
  });
});

describe('all, global, direct, localOrShuffle and custom groupings', () => {
  test('all: every task gets every tuple', () => {
    const g = grouper(all());
    assert.equal(g.choose(['a', 1]), -1);
    assert.deepEqual(g.many, TARGETS);
  });

  test('global: only the lowest task id', () => {
    const g = grouper(global(), idle, ['word', 'n'], [12, 10, 11]);
    assert.deepEqual([...tally(() => g.choose(['a', 1]), 50)], [[10, 50]]);
  });

  test('direct: the grouper sends nothing by itself', () => {
    const g = grouper(direct());
    assert.equal(g.choose(['a', 1]), -1);
    assert.deepEqual(g.many, []);
  });

  test('localOrShuffle: only local tasks while there are any, evenly', () => {
    const local = new Set([5, 7]);
    const g = grouper(localOrShuffle(), { load: () => 0, isLocal: (t) => local.has(t) });
    assert.deepEqual([...tally(() => g.choose(['a', 1]), 100)].sort(), [[5, 50], [7, 50]]);
  });

  test('localOrShuffle: all tasks when none is local; all of them in local mode', () => {
    const remote = grouper(localOrShuffle(), { load: () => 0, isLocal: () => false });
    assert.deepEqual([...tally(() => remote.choose(['a', 1]), 400).values()], [100, 100, 100, 100]);
    const localMode = grouper(localOrShuffle());
    assert.deepEqual([...tally(() => localMode.choose(['a', 1]), 400).keys()].sort(), TARGETS);
  });

  test('custom: an index picks one task, an array of indices picks several', () => {
    const g = grouper(custom('by-n', (values, targets) => (values[1] === -1 ? targets.map((_, i) => i) : (values[1] as number) % targets.length)));
    assert.equal(g.choose(['a', 0]), 4);
    assert.equal(g.choose(['a', 6]), 6);
    assert.equal(g.choose(['a', -1]), -1);
    assert.deepEqual(g.many, TARGETS);
    const pair = grouper(custom('pair', () => [3, 1]));
    assert.equal(pair.choose(['a', 0]), -1);
    assert.deepEqual(pair.many, [7, 5]);
  });

  test('custom: an out-of-range index is an INVALID_EMIT error naming the subscription', () => {
    for (const pick of [() => 4, () => -1, () => [0, 9]]) {
      const g = grouper(custom('broken', pick));
      assert.throws(
        () => g.choose(['a', 0]),
        (e: { code?: string; message?: string }) => {
          assert.equal(e.code, ErrorCodes.INVALID_EMIT);
          assert.match(e.message!, /custom grouping 'src' -> 'sink' chose index (4|-1|9), but there are 4 target tasks \(0\.\.3\)/);
          return true;
        },
      );
    }
  });
});
