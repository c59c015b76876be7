import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anonymize } from './anonymize.js';
import { canonicalize } from './canonicalize.js';
import { UNKNOWN_GEO } from './geotag.js';
import avro from 'avsc';
import { WEBREQUEST_REFINED_AVRO_SCHEMA, webrequestInputAvroType, webrequestRefinedAvroType } from './schema-avro.js';
import type { WebrequestRefined } from './schema.js';
import { APP_UA, inputRecord } from './test-fixtures.js';

const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

const refined = (overrides: Parameters<typeof inputRecord>[0] = {}): WebrequestRefined => {
  const c = canonicalize(inputRecord(overrides), { source: 'text' });
  return anonymize({ ...c, geocoded_data: { ...UNKNOWN_GEO, country_code: 'US', country: 'United States' } }, Buffer.alloc(32, 7));
};

const roundTrip = (rec: WebrequestRefined): void => {
  const paths: string[] = [];
  const valid = webrequestRefinedAvroType.isValid(rec, { errorHook: (path) => paths.push(path.join('.')) });
  assert.ok(valid, `invalid at ${paths.join(', ')}`);
  const decoded = webrequestRefinedAvroType.fromBuffer(webrequestRefinedAvroType.toBuffer(rec));
  assert.deepEqual(plain(decoded), plain(rec));
};

test('a refined pageview round-trips through the Avro type', () => {
  roundTrip(refined());
});

test('a refined non-pageview with nulls round-trips', () => {
  const rec = refined({ http_status: '500', dt: '-', time_firstbyte: null, response_size: null, uri_host: 'en.zero.m.wikipedia.org' });
  assert.equal(rec.pageview_info, null);
  assert.equal(rec.ts, null);
  roundTrip(rec);
});

test('an app pageview round-trips', () => {
  roundTrip(refined({ user_agent: APP_UA, x_analytics: 'pageview=1;ns=0', uri_path: '/api/rest_v1/page/mobile-html/%E6%9D%B1%E4%BA%AC%E9%83%BD' }));
});

test('the refined schema holds no raw IP field', () => {
  const names = (webrequestRefinedAvroType as unknown as { fields: { name: string }[] }).fields.map((f) => f.name);
  assert.ok(!names.includes('ip'));
  assert.ok(!names.includes('x_forwarded_for'));
  assert.ok(names.includes('client_ip'));
});

test('the hour of ts is no field: year, month, day and hour are the Hive partition columns only', () => {
  const names = (webrequestRefinedAvroType as unknown as { fields: { name: string }[] }).fields.map((f) => f.name);
  assert.deepEqual(names.filter((n) => ['year', 'month', 'day', 'hour'].includes(n)), []);
  assert.ok(names.includes('ts'));
});

test('refined files written while the schema still had year, month, day and hour read with the current one', () => {
  const rec = refined();
  const hourFields = ['year', 'month', 'day', 'hour'].map((name) => ({ name, type: ['null', 'int'], default: null }));
  const earlier = avro.Type.forSchema({ ...(WEBREQUEST_REFINED_AVRO_SCHEMA as unknown as { fields: unknown[] }), fields: [...WEBREQUEST_REFINED_AVRO_SCHEMA.fields, ...hourFields] } as avro.Schema);
  const written = earlier.toBuffer({ ...rec, year: 2026, month: 11, day: 22, hour: 10 });
  const read = webrequestRefinedAvroType.fromBuffer(written, webrequestRefinedAvroType.createResolver(earlier));
  assert.deepEqual(plain(read), plain(rec));
});

test('an input record round-trips through the input Avro type', () => {
  const rec = inputRecord({ response_size: null });
  const decoded = webrequestInputAvroType.fromBuffer(webrequestInputAvroType.toBuffer(rec));
  assert.deepEqual(plain(decoded), plain(rec));
});
