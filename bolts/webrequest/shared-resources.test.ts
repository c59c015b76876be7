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
