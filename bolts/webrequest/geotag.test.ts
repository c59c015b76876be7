import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { countryCodes, countryInfo } from './country-names.js';
import { GeoReader, UNKNOWN_GEO, geotag, openSharedGeoReader, toGeocodedData } from './geotag.js';
import { canonicalize } from './canonicalize.js';
import { inputRecord } from './test-fixtures.js';

let geo: GeoReader;
before(async () => {
  geo = await openSharedGeoReader();
});

test('public DNS resolvers: stable countries, v4 and v6', () => {
  const google = geo.lookup('8.8.8.8');
  assert.equal(google.country_code, 'US');
  assert.equal(google.country, 'United States');
  assert.equal(google.continent, 'North America');
  assert.equal(geo.lookup('2001:4860:4860::8888').country_code, 'US');
  assert.equal(geo.lookup('::ffff:8.8.8.8').country_code, 'US');
  const ripe = geo.lookup('193.0.14.129');
  assert.equal(ripe.country_code, 'NL');
  assert.equal(ripe.country, 'The Netherlands');
  assert.equal(ripe.continent, 'Europe');
  assert.equal(ripe.timezone, 'Europe/Amsterdam');
});

test('a city-level record maps state1 to subdivision', () => {
  // MaxMind's own test address for Bracknell, GB.
  const g = geo.lookup('81.2.69.142');
  assert.equal(g.country_code, 'GB');
  assert.equal(g.country, 'United Kingdom');
  assert.equal(g.continent, 'Europe');
  assert.equal(g.subdivision, 'England');
  assert.equal(g.city, 'Bracknell');
  assert.equal(g.timezone, 'Europe/London');
});

test('invalid, private and reserved addresses are all Unknown', () => {
  for (const ip of ['-', '', 'not-an-ip', '999.1.1.1', '10.1.2.3', '127.0.0.1', '192.168.1.1', '::1', '2001:db8::1', '8.8.8.8, 1.1.1.1']) {
    assert.deepEqual(geo.lookup(ip), UNKNOWN_GEO, ip);
  }
});

test('empty fields become Unknown, a missing country --', () => {
  assert.deepEqual(toGeocodedData({ country_code: 'US', state1: '', city: '', timezone: 'America/Chicago' }), {
    continent: 'North America',
    country_code: 'US',
    country: 'United States',
    subdivision: 'Unknown',
    city: 'Unknown',
    timezone: 'America/Chicago',
  });
  assert.deepEqual(toGeocodedData({}), UNKNOWN_GEO);
  assert.deepEqual(toGeocodedData({ country_code: 'ZZ' }), { ...UNKNOWN_GEO, country_code: 'ZZ' });
});

test('results are shared per database record', () => {
  assert.equal(geo.lookup('8.8.8.8'), geo.lookup('8.8.8.8'));
  assert.ok(Object.isFrozen(geo.lookup('8.8.8.8')));
});

test('every country code in a sample of the database has a name and continent', () => {
  let x = 0x9e3779b9;
  const missing = new Set<string>();
  for (let i = 0; i < 20_000; i++) {
    x = (Math.imul(x ^ (x >>> 16), 0x45d9f3b) + i) >>> 0;
    const ip = `${(x >>> 24) & 255}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`;
    const g = geo.lookup(ip);
    if (g.country_code !== '--' && g.country === 'Unknown') missing.add(g.country_code);
  }
  assert.deepEqual([...missing], []);
  assert.equal(countryCodes().length, 250);
  assert.deepEqual(countryInfo('JP'), { name: 'Japan', continent: 'Asia' });
});

test('geotag adds geocoded_data and keeps the record', () => {
  const rec = geotag(canonicalize(inputRecord(), { source: 'text' }), geo);
  assert.equal(rec.geocoded_data.country_code, 'US');
  assert.equal(rec.ip, '8.8.8.8');
});

test('the shared reader is opened once', async () => {
  assert.equal(await openSharedGeoReader(), geo);
  assert.ok(geo.buildDates.ipv4 instanceof Date);
});

test('a reader in another thread shares the databases instead of reading them again', async () => {
  const { Worker } = await import('node:worker_threads');
  assert.ok(geo.databases.ipv4 instanceof SharedArrayBuffer && geo.databases.ipv6 instanceof SharedArrayBuffer);
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const bytes = new Uint8Array(workerData.ipv4);
    parentPort.postMessage({ shared: workerData.ipv4 instanceof SharedArrayBuffer, first: bytes[0] });
    bytes[0] ^= 0xff; // a write the main thread sees only if the memory is the same
    parentPort.postMessage('written');`;
  const worker = new Worker(source, { eval: true, workerData: geo.databases });
  const messages: unknown[] = [];
  await new Promise<void>((resolve, reject) => {
    worker.on('message', (m) => (messages.push(m), m === 'written' && resolve()));
    worker.on('error', reject);
  });
  await worker.terminate();
  const first = (messages[0] as { first: number }).first;
  const seen = new Uint8Array(geo.databases.ipv4)[0]!;
  new Uint8Array(geo.databases.ipv4)[0] = first; // restore before anything reads it
  assert.deepEqual(messages[0], { shared: true, first });
  assert.equal(seen, first ^ 0xff);
  const other = GeoReader.fromShared(geo.databases);
  for (const ip of ['8.8.8.8', '193.0.14.129', '2001:4860:4860::8888', '10.0.0.1']) assert.deepEqual(other.lookup(ip), geo.lookup(ip));
});

test('isIPv4 agrees with node:net on tricky inputs', async () => {
  const { isIPv4: netIsIPv4 } = await import('node:net');
  const { isIPv4 } = await import('./geotag.js');
  for (const ip of ['1.2.3.4', '255.255.255.255', '0.0.0.0', '256.1.1.1', '01.2.3.4', '1.2.3', '1.2.3.4.5', '1..2.3', '1.2.3.4 ', 'a.b.c.d', '1.2.3.-4', '1000.1.1.1', '']) {
    assert.equal(isIPv4(ip), netIsIPv4(ip), ip);
  }
});
