/**
 * RedisSaltStore against the real Redis of infra/ (127.0.0.1:$SQUALL_REDIS_PORT, default 6379):
 * separate stores over separate connections agree on a period's salt, a new period gets a new
 * salt, and keys carry the TTL.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { periodOf } from '../../bolts/webrequest/anonymize.js';
import { RedisSaltStore } from '../../bolts/webrequest/redis-salt-store.js';
import { waitFor } from '../support/wait.js';

const HOST = '127.0.0.1';
const PORT = Number(process.env.SQUALL_REDIS_PORT || 6379);
const DAY = 86_400_000;
const HOUR = 3_600_000;
const T = Date.UTC(2026, 10, 22, 10);
const prefix = `squall-test:salt-store:${randomBytes(4).toString('hex')}:`;

let admin: Redis;
const stores: RedisSaltStore[] = [];
const store = (options: { now?: () => number; rotationMs?: number; graceMs?: number } = {}): RedisSaltStore => {
  const s = new RedisSaltStore({ redis: { host: HOST, port: PORT, maxRetriesPerRequest: 2 }, keyPrefix: prefix, now: () => T, ...options });
  stores.push(s);
  return s;
};

before(async () => {
  admin = new Redis({ host: HOST, port: PORT, maxRetriesPerRequest: 2 });
  assert.equal(await admin.ping(), 'PONG');
});

after(async () => {
  await Promise.all(stores.map((s) => s.close()));
  const keys = await admin.keys(`${prefix}*`);
  if (keys.length > 0) await admin.del(...keys);
  await admin.quit();
});

test('two stores on two connections get the same salt for a period', async () => {
  const a = store();
  const b = store();
  const period = periodOf(T);
  const [sa, sb] = await Promise.all([a.saltFor(period), b.saltFor(period)]);
  assert.equal(sa.length, 32);
  assert.deepEqual(sa, sb);
  assert.deepEqual(await admin.getBuffer(prefix + period), sa);
  assert.equal(a.cachedSalt(period), sa);
});

test('a new period gets a different salt', async () => {
  const a = store();
  const b = store();
  const today = await a.saltFor(periodOf(T));
  const tomorrow = await b.saltFor(periodOf(T + DAY));
  assert.notDeepEqual(today, tomorrow);
  assert.deepEqual(await a.saltFor(periodOf(T + DAY)), tomorrow);
});

test('keys expire after the rotation period plus the grace', async () => {
  const s = store({ graceMs: HOUR });
  const period = periodOf(T - 2 * DAY);
  await s.saltFor(period);
  const pttl = await admin.pttl(prefix + period);
  assert.ok(pttl > DAY && pttl <= DAY + HOUR, `PTTL ${pttl}`);
});

test('a salt is cached in memory until its period ends, then read from Redis again', async () => {
  let now = T;
  const s = store({ now: () => now });
  const period = periodOf(T);
  const first = await s.saltFor(period);
  await admin.del(prefix + period);
  assert.deepEqual(await s.saltFor(period), first, 'served from memory while the period lasts');
  now = Date.UTC(2026, 10, 23, 0, 0, 1);
  assert.equal(s.cachedSalt(period), undefined, 'the period has ended');
  const reread = await s.saltFor(period);
  assert.deepEqual(await admin.getBuffer(prefix + period), reread, 'what Redis holds now');
  assert.notDeepEqual(reread, first, 'the deleted key was not resurrected from memory');
});

test('the salt of an ended period stays at hand after a fetch, for late records', async () => {
  const s = store();
  const old = periodOf(T - 5 * DAY);
  const salt = await s.saltFor(old);
  assert.equal(s.cachedSalt(old), salt);
});

test('an expired key yields a fresh salt', async () => {
  const rotationMs = 1000;
  const start = Date.now();
  const s1 = store({ rotationMs, graceMs: 0, now: () => start });
  const period = periodOf(start, rotationMs);
  const first = await s1.saltFor(period);
  await waitFor(async () => (await admin.exists(prefix + period)) === 0, { message: `${prefix + period} to expire within its 1 s TTL` });
  const s2 = store({ rotationMs, graceMs: 0, now: () => start });
  assert.notDeepEqual(await s2.saltFor(period), first);
});
