import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXAnalytics } from './x-analytics.js';

test('splits on ; then on the first =', () => {
  assert.deepEqual(parseXAnalytics('ns=0;page_id=12;pageview=1'), { ns: '0', page_id: '12', pageview: '1' });
  assert.deepEqual(parseXAnalytics('a=b=c;d='), { a: 'b=c', d: '' });
  assert.deepEqual(parseXAnalytics('flag;x=1'), { flag: '', x: '1' });
});

test('- and empty give an empty map', () => {
  assert.deepEqual(parseXAnalytics('-'), {});
  assert.deepEqual(parseXAnalytics(''), {});
});

test('empty parts are skipped, the first of repeated keys wins, __proto__ is dropped', () => {
  assert.deepEqual(parseXAnalytics(';;ns=0;;ns=1;'), { ns: '0' });
  assert.deepEqual(parseXAnalytics('=x;y=2'), { y: '2' });
  const map = parseXAnalytics('__proto__=1;constructor=2');
  assert.deepEqual(map, { constructor: '2' });
  assert.equal(Object.getPrototypeOf(map), Object.prototype);
});
