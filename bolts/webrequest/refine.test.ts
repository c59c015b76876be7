import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { hashIp, periodOf } from './anonymize.js';
import { openSharedGeoReader, type GeoReader } from './geotag.js';
import { refineLine, type RefineDeps } from './refine.js';
import { MemorySaltStore } from './salt-store.js';
import { webrequestRefinedAvroType } from './schema-avro.js';
import { inputRecord } from './test-fixtures.js';

const T = Date.UTC(2026, 10, 22, 10, 15, 30);
const RAW_IP = '8.8.8.8';
let geo: GeoReader;
let store: MemorySaltStore;
let deps: RefineDeps;

before(async () => {
  geo = await openSharedGeoReader();
  store = new MemorySaltStore({ now: () => T });
  await store.saltFor(periodOf(T));
  deps = { source: 'text', geo, saltFor: (p) => store.cachedSalt(p), now: () => T };
});

const line = (overrides: Parameters<typeof inputRecord>[0] = {}): string =>
  JSON.stringify(inputRecord({ ip: RAW_IP, x_forwarded_for: `${RAW_IP}, 192.0.2.1`, ...overrides }));

test('a good line comes out refined, geotagged and anonymized', () => {
  const r = refineLine(line(), deps);
  assert.ok(r.ok);
  const rec = r.record;
  assert.equal(rec.client_ip, hashIp(RAW_IP, store.cachedSalt(periodOf(T))!));
  assert.equal(rec.geocoded_data.country_code, 'US');
  assert.deepEqual(rec.pageview_info, { project: 'en.wikipedia', language_variant: 'default', page_title: 'Zürich' });
  assert.equal(rec.webrequest_source, 'text');
  assert.ok(!('ip' in rec) && !('x_forwarded_for' in rec));
  assert.ok(!JSON.stringify(rec).includes(RAW_IP));
  assert.ok(webrequestRefinedAvroType.isValid(rec));
});

test('a Buffer line works the same', () => {
  const a = refineLine(line(), deps);
  const b = refineLine(Buffer.from(line()), deps);
  assert.deepEqual(a, b);
});

test('a malformed line fails at parse with a reason', () => {
  assert.deepEqual(refineLine('{"ip":"8.8.8.8"', deps), { ok: false, stage: 'parse', reason: 'malformed JSON' });
  const r = refineLine(line({ http_status: 'x' }), deps);
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.stage, 'parse');
});

test('a missing salt fails with the period to fetch, and succeeds once it is fetched', async () => {
  const next = Date.UTC(2026, 10, 23, 1);
  const l = line({ dt: '2026-11-23T01:00:00Z' });
  const r = refineLine(l, deps);
  assert.deepEqual(r, { ok: false, stage: 'salt', reason: 'the salt of period 2026-11-23T00:00:00.000Z is not loaded', period: periodOf(next) });
  assert.ok(!JSON.stringify(r).includes(RAW_IP));
  await store.saltFor(periodOf(next));
  assert.equal(refineLine(l, deps).ok, true);
});

test('records without dt use the clock for their salt period', () => {
  const r = refineLine(line({ dt: '-' }), deps);
  assert.ok(r.ok);
  assert.equal(r.record.ts, null);
  assert.equal(r.record.client_ip, hashIp(RAW_IP, store.cachedSalt(periodOf(T))!));
});
