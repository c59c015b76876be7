import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CanonicalizeCaches, canonicalize, hostFactsOf } from './canonicalize.js';
import { APP_UA, IPHONE_UA, inputRecord } from './test-fixtures.js';

test('a desktop pageview, every derived field', () => {
  const r = canonicalize(inputRecord(), { source: 'text' });
  assert.equal(r.webrequest_source, 'text');
  assert.equal(r.is_pageview, true);
  assert.deepEqual(r.pageview_info, { project: 'en.wikipedia', language_variant: 'default', page_title: 'Zürich' });
  assert.deepEqual(r.normalized_host, { project_class: 'wikipedia', project: 'en', qualifiers: [], tld: 'org', project_family: 'wikipedia' });
  assert.deepEqual(r.x_analytics_map, { ns: '0', page_id: '36787', https: '1' });
  assert.equal(r.user_agent_map.browser_family, 'Chrome');
  assert.equal(r.agent_type, 'user');
  assert.equal(r.access_method, 'desktop');
  assert.equal(r.ts, Date.UTC(2026, 10, 22, 10, 15, 30));
  assert.ok(!('year' in r) && !('hour' in r), 'the hour is the partition, not a field');
  assert.equal(r.ip, '8.8.8.8', 'the raw IP stays until anonymize');
  assert.equal(r.uri_host, 'en.wikipedia.org');
});

test('dt - gives a null ts', () => {
  const r = canonicalize(inputRecord({ dt: '-' }), { source: 'upload' });
  assert.equal(r.ts, null);
  assert.equal(r.webrequest_source, 'upload');
});

test('mobile web and app access methods', () => {
  assert.equal(canonicalize(inputRecord({ uri_host: 'en.m.wikipedia.org', user_agent: IPHONE_UA }), { source: 'text' }).access_method, 'mobile web');
  const app = canonicalize(inputRecord({ user_agent: APP_UA, x_analytics: 'pageview=1' }), { source: 'text' });
  assert.equal(app.access_method, 'mobile app');
  assert.equal(app.is_pageview, true);
  assert.equal(app.user_agent_map.wmf_app_version, '7.4.2.2424');
});

test('bots are spiders and still pageviews', () => {
  const r = canonicalize(inputRecord({ user_agent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' }), { source: 'text' });
  assert.equal(r.agent_type, 'spider');
  assert.equal(r.user_agent_map.device_family, 'Spider');
  assert.equal(r.is_pageview, true);
});

test('not a pageview: pageview_info is null', () => {
  const r = canonicalize(inputRecord({ http_status: '404' }), { source: 'text' });
  assert.equal(r.is_pageview, false);
  assert.equal(r.pageview_info, null);
});

test('host facts are cached and frozen; records do not share x_analytics maps', () => {
  const caches = new CanonicalizeCaches({ hosts: 4, userAgents: 4 });
  const a = canonicalize(inputRecord(), { source: 'text', caches });
  const b = canonicalize(inputRecord(), { source: 'text', caches });
  assert.equal(a.normalized_host, b.normalized_host);
  assert.ok(Object.isFrozen(a.normalized_host));
  assert.ok(Object.isFrozen(a.normalized_host.qualifiers));
  assert.notEqual(a.x_analytics_map, b.x_analytics_map);
  assert.equal(caches.hostFacts('en.wikipedia.org'), caches.hostFacts('en.wikipedia.org'));
  assert.deepEqual({ ...hostFactsOf('EN.m.wikipedia.org.:443'), normalized: null }, {
    host: 'en.m.wikipedia.org',
    normalized: null,
    isPageviewHost: true,
    pageviewProject: 'en.wikipedia',
  });
});
