import { test } from 'node:test';
import assert from 'node:assert/strict';
import { languageVariantOf, normalizeVariantPath } from './language-variant.js';

test('default paths', () => {
  for (const p of ['/', '/wiki', '/w', '/wiki/Foo', '/w/index.php', '/api/rest_v1/page/mobile-html/Foo', '/Foo', '/static/x.png']) {
    assert.equal(languageVariantOf(p), 'default', p);
  }
});

test('api.php has none', () => {
  assert.equal(languageVariantOf('/w/api.php'), '-');
  assert.equal(languageVariantOf('//w//api.php?action=query'), '-');
});

test('variant paths', () => {
  assert.equal(languageVariantOf('/sr-ec/Foo'), 'sr-ec');
  assert.equal(languageVariantOf('/zh-hans/%E5%8C%97'), 'zh-hans');
  assert.equal(languageVariantOf('/view/sr-el/Foo'), 'sr-el');
  assert.equal(languageVariantOf('/view/zh-tw'), 'zh-tw');
  assert.equal(languageVariantOf('https://zh.wikipedia.org/zh-cn/Foo?x=1'), 'zh-cn');
  assert.equal(languageVariantOf('//zh-hk//Foo'), 'zh-hk');
});

test('normalizeVariantPath drops scheme and host, query, and repeated slashes', () => {
  assert.equal(normalizeVariantPath('https://en.wikipedia.org//wiki///Foo?x=1'), '/wiki/Foo');
  assert.equal(normalizeVariantPath('http://en.wikipedia.org'), '/');
  assert.equal(normalizeVariantPath('/wiki/Foo?a=b'), '/wiki/Foo');
});
