import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { IpHasher, anonymize, hashIp, periodBounds, periodOf, saltPeriodOf } from './anonymize.js';
import { canonicalize } from './canonicalize.js';
import { UNKNOWN_GEO } from './geotag.js';
import { MemorySaltStore } from './salt-store.js';
import { inputRecord } from './test-fixtures.js';

const DAY = 86_400_000;
const T = Date.UTC(2026, 10, 22, 10, 15);
const RAW_IP = '203.0.113.77';
const XFF_IP = '198.51.100.23';

const geotagged = (ip = RAW_IP) => ({
  ...canonicalize(inputRecord({ ip, x_forwarded_for: `${ip}, ${XFF_IP}` }), { source: 'text' }),
  geocoded_data: UNKNOWN_GEO,
});

test('hashIp is HMAC-SHA-256 in hex', () => {
  // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?"
  assert.equal(
    hashIp('what do ya want for nothing?', Buffer.from('Jefe')),
    '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
  );
});

test('periods: daily by default, configurable, with bounds', () => {
  assert.equal(periodOf(T), '2026-11-22T00:00:00.000Z');
  assert.equal(periodOf(Date.UTC(2026, 10, 22, 23, 59, 59, 999)), '2026-11-22T00:00:00.000Z');
  assert.equal(periodOf(Date.UTC(2026, 10, 23)), '2026-11-23T00:00:00.000Z');
  assert.equal(periodOf(T, 3_600_000), '2026-11-22T10:00:00.000Z');
  assert.deepEqual(periodBounds('2026-11-22T00:00:00.000Z'), { startMs: Date.UTC(2026, 10, 22), endMs: Date.UTC(2026, 10, 23) });
  assert.throws(() => periodBounds('2026-11-22T10:00:00.000Z', DAY), RangeError);
  assert.throws(() => periodBounds('nonsense'), RangeError);
  assert.equal(saltPeriodOf(null, DAY, T), '2026-11-22T00:00:00.000Z');
  assert.equal(saltPeriodOf(Date.UTC(2026, 0, 1), DAY, T), '2026-01-01T00:00:00.000Z');
});

test('same ip and period give the same hash; another period another', async () => {
  const store = new MemorySaltStore({ now: () => T });
  const today = await store.saltFor(periodOf(T));
  const tomorrow = await store.saltFor(periodOf(T + DAY));
  const a = anonymize(geotagged(), today);
  const b = anonymize(geotagged(), await store.saltFor(periodOf(T + 1000)));
  const c = anonymize(geotagged(), tomorrow);
  assert.match(a.client_ip, /^[0-9a-f]{64}$/);
  assert.equal(a.client_ip, b.client_ip);
  assert.notEqual(a.client_ip, c.client_ip);
  assert.notEqual(anonymize(geotagged('203.0.113.78'), today).client_ip, a.client_ip);
});

test('the raw IP and x_forwarded_for are gone from the output', () => {
  const out = anonymize(geotagged(), Buffer.alloc(32, 1));
  assert.ok(!('ip' in out));
  assert.ok(!('x_forwarded_for' in out));
  const json = JSON.stringify(out);
  assert.ok(!json.includes(RAW_IP));
  assert.ok(!json.includes(XFF_IP));
  assert.ok(!json.includes('203.0.113'));
});

test('a missing IP stays -', () => {
  assert.equal(anonymize(geotagged('-'), Buffer.alloc(32, 1)).client_ip, '-');
});

test('IpHasher gives the same digests as hashIp and hides its salt', () => {
  for (const salt of [Buffer.alloc(32, 9), Buffer.from('Jefe'), Buffer.alloc(100, 3)]) {
    const hasher = new IpHasher(salt);
    for (const ip of ['8.8.8.8', '2001:4860:4860::8888', '::ffff:1.2.3.4', 'x'.repeat(81), 'ü'.repeat(80), '']) {
      assert.equal(hasher.hash(ip), hashIp(ip, salt), ip);
    }
    assert.equal(hasher.hash('8.8.8.8'), hasher.hash('8.8.8.8'), 'buffers are reused safely');
    assert.equal(JSON.stringify(hasher), '{}');
    assert.equal(inspect(hasher, { showHidden: true }), 'IpHasher {}');
    assert.ok(hasher.isFor(salt));
    assert.ok(!hasher.isFor(Buffer.from(salt)));
  }
});
