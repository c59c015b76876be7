import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UNKNOWN_USER_AGENT_MAP, UserAgentParser, parseUserAgentUncached } from './user-agent.js';
import { APP_UA, IPHONE_UA } from './test-fixtures.js';

test('desktop Chrome', () => {
  assert.deepEqual(
    parseUserAgentUncached('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36'),
    { browser_family: 'Chrome', browser_major: '124', os_family: 'Windows', os_major: '10', os_minor: '-', device_family: 'Other', wmf_app_version: '-' },
  );
});

test('iPhone Safari', () => {
  assert.deepEqual(parseUserAgentUncached(IPHONE_UA), {
    browser_family: 'Mobile Safari',
    browser_major: '17',
    os_family: 'iOS',
    os_major: '17',
    os_minor: '4',
    device_family: 'iPhone',
    wmf_app_version: '-',
  });
});

test('Android phone names vendor and model', () => {
  const m = parseUserAgentUncached('Mozilla/5.0 (Linux; Android 13; SM-S901B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/112.0.0.0 Mobile Safari/537.36');
  assert.equal(m.device_family, 'Samsung SM-S901B');
  assert.equal(m.os_family, 'Android');
  assert.equal(m.os_major, '13');
});

test('Wikipedia app version', () => {
  const m = parseUserAgentUncached(APP_UA);
  assert.equal(m.wmf_app_version, '7.4.2.2424');
  assert.equal(m.browser_family, 'WikipediaApp');
  assert.equal(m.browser_major, '7');
  assert.equal(m.os_family, 'Android');
});

test('bots are Spider', () => {
  for (const ua of [
    'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.0.0 Safari/537.36',
    'python-requests/2.31.0',
    'curl/8.5.0',
    'facebookexternalhit/1.1',
  ]) {
    assert.equal(parseUserAgentUncached(ua).device_family, 'Spider', ua);
  }
  assert.notEqual(parseUserAgentUncached('Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36').device_family, 'Spider');
});

test('- and empty are unknown', () => {
  assert.equal(parseUserAgentUncached('-'), UNKNOWN_USER_AGENT_MAP);
  assert.equal(parseUserAgentUncached(''), UNKNOWN_USER_AGENT_MAP);
});

test('the parser caches and returns frozen, shared maps', () => {
  const p = new UserAgentParser({ cacheSize: 2 });
  const a = p.parse(IPHONE_UA);
  assert.equal(p.parse(IPHONE_UA), a);
  assert.ok(Object.isFrozen(a));
  p.parse('x/1');
  p.parse('y/1');
  assert.notEqual(p.parse(IPHONE_UA), a, 'evicted, parsed afresh');
  assert.deepEqual(p.parse(IPHONE_UA), a);
  assert.throws(() => new UserAgentParser({ cacheSize: 0 }), RangeError);
});
