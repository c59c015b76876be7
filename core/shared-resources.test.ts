import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SharedResources } from './shared-resources.js';

test('one resource per key: created by the first user, closed once by the last', async () => {
  const closed: string[] = [];
  const created: string[] = [];
  const shared = new SharedResources<{ close(): Promise<void> }>();
  const make = (key: string) => () => {
    created.push(key);
    return { close: () => Promise.resolve(void closed.push(key)) };
  };
  const a1 = shared.acquire('a', make('a'));
  const a2 = shared.acquire('a', make('a'));
  shared.acquire('b', make('b'));
  assert.equal(a1, a2);
  assert.deepEqual(created, ['a', 'b']);
  await shared.release('a');
  assert.deepEqual(closed, [], 'a still has a user');
  await shared.release('a');
  await shared.release('a');
  await shared.release('unknown');
  assert.deepEqual(closed, ['a']);
  assert.equal(shared.size, 1);
  shared.acquire('a', make('a'));
  assert.deepEqual(created, ['a', 'b', 'a'], 'a new user after the close gets a new one');
});

test('with lingerMs, the last release keeps the resource for the next user, and closes it once the time is up', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const closed: number[] = [];
  let made = 0;
  const shared = new SharedResources<{ n: number; close(): Promise<void> }>({ lingerMs: 30_000 });
  const make = () => {
    const n = ++made;
    return { n, close: () => Promise.resolve(void closed.push(n)) };
  };
  const first = shared.acquire('pool', make);
  await shared.release('pool');
  await shared.release('pool');
  t.mock.timers.tick(29_999);
  assert.deepEqual(closed, [], 'still lingering');
  assert.equal(shared.acquire('pool', make), first, 'a new user takes up the lingering resource');
  t.mock.timers.tick(60_000);
  assert.deepEqual(closed, [], 'taken up again: its timer was cancelled');
  await shared.release('pool');
  t.mock.timers.tick(30_000);
  await Promise.resolve();
  assert.deepEqual(closed, [1], 'closed once, when nobody took it up in time');
  assert.equal(shared.size, 0);
  assert.notEqual(shared.acquire('pool', make), first, 'a user after the close gets a new one');
});
