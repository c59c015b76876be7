import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agentTypeOf, isSpiderUserAgent, SPIDER_UA_PREFIXES } from './agent-type.js';
import { APP_UA, IPHONE_UA } from './test-fixtures.js';

test('browsers and the apps are users', () => {
  assert.equal(agentTypeOf(IPHONE_UA, 'iPhone'), 'user');
  assert.equal(agentTypeOf(APP_UA, 'Other'), 'user');
  assert.equal(agentTypeOf('Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0', 'Other'), 'user');
});

test('missing or empty user agents are spiders', () => {
  assert.equal(agentTypeOf('-', 'Other'), 'spider');
  assert.equal(agentTypeOf('', 'Other'), 'spider');
});

test('contained words, ignoring case', () => {
  for (const ua of [
    'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    'Mozilla/5.0 (compatible; BOT)',
    'SomeSpider/1.0',
    'Mozilla/5.0 WordPress.com',
    'python-requests/2.31.0',
    'Mozilla/5.0 (compatible) facebookexternalhit/1.1',
    'Mozilla/5.0 (compatible; Yahoo! Slurp)',
    'Mozilla/5.0 PhantomJS/2.1',
    'Mozilla/5.0 see HTTPS://example.com',
  ]) {
    assert.equal(isSpiderUserAgent(ua), true, ua);
  }
});

test('every listed prefix, ignoring case, only at the start', () => {
  for (const prefix of SPIDER_UA_PREFIXES) {
    assert.equal(isSpiderUserAgent(`${prefix}x/1.0`), true, prefix);
    assert.equal(isSpiderUserAgent(`${prefix.toLowerCase()}x/1.0`), true, prefix);
  }
  assert.equal(isSpiderUserAgent('Mozilla/5.0 curl'), false);
  assert.equal(isSpiderUserAgent('Mozilla/5.0 (Linux) Ruby'), false);
  assert.equal(isSpiderUserAgent('Mozilla/5.0 Java/17'), false);
});

test('email-shaped prefixes', () => {
  assert.equal(isSpiderUserAgent('someone@example.org MyTool'), true);
  assert.equal(isSpiderUserAgent('ResearchTool/0.3 (someone@example.org)'), false);
  assert.equal(isSpiderUserAgent('a@b'), false);
});

test('the parser saying Spider makes a spider', () => {
  assert.equal(agentTypeOf(IPHONE_UA, 'Spider'), 'spider');
});
