import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accessMethodOf } from './access-method.js';
import { APP_UA, IPHONE_UA } from './test-fixtures.js';

test('app user agents are mobile app, whatever the host', () => {
  assert.equal(accessMethodOf('en.wikipedia.org', APP_UA), 'mobile app');
  assert.equal(accessMethodOf('en.m.wikipedia.org', 'wikipediaapp/1.0'), 'mobile app');
});

test('mobile hosts are mobile web', () => {
  for (const host of ['en.m.wikipedia.org', 'm.wikidata.org', 'en.zero.wikipedia.org', 'wap.example.org', 'de.mobile.wikipedia.org']) {
    assert.equal(accessMethodOf(host, IPHONE_UA), 'mobile web', host);
  }
});

test('everything else is desktop', () => {
  for (const host of ['en.wikipedia.org', 'www.wikidata.org', 'commons.wikimedia.org', 'mm.wikipedia.org', 'en.m']) {
    assert.equal(accessMethodOf(host, IPHONE_UA), 'desktop', host);
  }
});
