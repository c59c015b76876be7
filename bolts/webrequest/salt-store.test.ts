import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { Redis } from 'ioredis';
import { SquallError } from '../../core/errors.js';
import { periodOf } from './anonymize.js';
import { RedisSaltStore } from './redis-salt-store.js';
import { MemorySaltStore, SALT_BYTES } from './salt-store.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T = Date.UTC(2026, 10, 22, 10);

test('MemorySaltStore: one random salt per period', async () => {
  const store = new MemorySaltStore({ now: () => T });
  const p = periodOf(T);
  const a = await store.saltFor(p);
  assert.equal(a.length, SALT_BYTES);
  assert.equal(await store.saltFor(p), a);
  assert.equal(store.cachedSalt(p), a);
  const next = await store.saltFor(periodOf(T + DAY));
  assert.notDeepEqual(next, a);
  assert.equal(store.cachedSalt(periodOf(T - DAY)), undefined);
});

test('MemorySaltStore forgets periods once period and grace have passed', async () => {
  let now = T;
  const store = new MemorySaltStore({ now: () => now, graceMs: HOUR });
  const p = periodOf(T);
  const a = await store.saltFor(p);
  now = Date.UTC(2026, 10, 23, 0, 30);
  assert.equal(store.cachedSalt(p), a, 'within the grace');
  now = Date.UTC(2026, 10, 23, 1, 0);
  assert.equal(store.cachedSalt(p), undefined);
  await store.saltFor(periodOf(now));
  assert.equal(store.size, 1, 'the expired salt was dropped');
});

test('MemorySaltStore keeps the salt of an ended period for the grace, for late records', async () => {
  let now = T;
  const store = new MemorySaltStore({ now: () => now, graceMs: HOUR });
  const old = periodOf(T - 10 * DAY);
  const salt = await store.saltFor(old);
  assert.equal(store.cachedSalt(old), salt);
  now = T + HOUR - 1;
  assert.equal(await store.saltFor(old), salt);
  now = T + HOUR;
  assert.equal(store.cachedSalt(old), undefined);
});

test('MemorySaltStore rejects a period that is not a period start', async () => {
  const store = new MemorySaltStore({ rotationMs: DAY });
  await assert.rejects(store.saltFor(periodOf(T, HOUR)), RangeError);
});

test('options are validated with a fix in the message', () => {
  assert.throws(() => new MemorySaltStore({ rotationMs: 10 }), (e: unknown) => e instanceof SquallError && e.code === 'SQUALL_ERR_INVALID_CONFIG' && /86400000/.test(e.message));
  assert.throws(() => new MemorySaltStore({ graceMs: -1 }), (e: unknown) => e instanceof SquallError && e.code === 'SQUALL_ERR_INVALID_CONFIG');
});

test('stores never reveal salts through JSON or inspect', async () => {
  const store = new MemorySaltStore({ now: () => T });
  const salt = await store.saltFor(periodOf(T));
  const hex = salt.toString('hex');
  const b64 = salt.toString('base64');
  for (const shown of [JSON.stringify(store), inspect(store, { showHidden: true, depth: 10 }), String(store)]) {
    assert.ok(!shown.includes(hex) && !shown.includes(b64), shown);
    assert.ok(!shown.includes(String(salt[0]) + ', ' + String(salt[1])), shown);
  }
  assert.deepEqual(JSON.parse(JSON.stringify(store)), { kind: 'MemorySaltStore', rotationMs: DAY, graceMs: HOUR });
});

test('RedisSaltStore shows only its configuration and does not close a client it was given', async () => {
  const redis = new Redis({ lazyConnect: true, port: 1 });
  const store = new RedisSaltStore({ redis, keyPrefix: 'test:salt:' });
  assert.deepEqual(JSON.parse(JSON.stringify(store)), {
    kind: 'RedisSaltStore',
    keyPrefix: 'test:salt:',
    rotationMs: DAY,
    ttlMs: DAY + HOUR,
  });
  assert.match(inspect(store), /^RedisSaltStore \{/);
  assert.equal(store.cachedSalt(periodOf(T)), undefined);
  await store.close();
  await store.close();
  assert.equal(redis.status, 'wait');
  redis.disconnect();
  assert.throws(() => new RedisSaltStore({ redis, keyPrefix: '' }), SquallError);
});
