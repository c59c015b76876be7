import { test } from 'node:test';
import assert from 'node:assert/strict';
import { finishTitle, pageTitleOf, queryParam, titleFromPath } from './page-title.js';

test('title= first, with + as _', () => {
  assert.equal(pageTitleOf('/w/index.php', '?title=Main+Page&oldid=5'), 'Main_Page');
  assert.equal(pageTitleOf('/wiki/Other', '?title=Foo'), 'Foo');
  assert.equal(pageTitleOf('/w/index.php', '?oldid=5&title=%C3%86r%C3%B8'), 'Ærø');
  assert.equal(pageTitleOf('/w/index.php', '?subtitle=x&title=Real'), 'Real');
  assert.equal(pageTitleOf('/w/index.php', '?title='), '-');
});

test('article paths', () => {
  assert.equal(pageTitleOf('/wiki/AC/DC', ''), 'AC/DC');
  assert.equal(pageTitleOf('/wiki/Talk:Foo_bar#Section', ''), 'Talk:Foo_bar');
  assert.equal(pageTitleOf('/w/index.php/Foo', ''), 'Foo');
  assert.equal(pageTitleOf('/api/rest_v1/page/mobile-sections-lead/Foo', ''), 'Foo');
  assert.equal(pageTitleOf('/api/rest_v1/page/mobile-sections/Foo%20Bar', ''), 'Foo_Bar');
  assert.equal(pageTitleOf('/api/rest_v1/page/mobile-html/Q42', ''), 'Q42');
});

test('page= when the path is not an article path', () => {
  assert.equal(pageTitleOf('/w/api.php', '?action=mobileview&page=Foo&sections=0'), 'Foo');
  assert.equal(pageTitleOf('/w/index.php', '?curid=12'), '-');
});

test('other paths without index. give what follows the second slash', () => {
  assert.equal(pageTitleOf('/sr-ec/%D0%91', ''), 'Б');
  assert.equal(pageTitleOf('/zh-hans/Foo/Bar', ''), 'Foo/Bar');
  assert.equal(pageTitleOf('/view/sr-el/Foo', ''), 'Foo');
  assert.equal(pageTitleOf('/', '?search=x'), '-');
});

test('finishing: percent-decoding, spaces, and invalid titles', () => {
  assert.equal(finishTitle('Z%C3%BCrich'), 'Zürich');
  assert.equal(finishTitle('C%2B%2B'), 'C++');
  assert.equal(finishTitle('Foo bar%20baz'), 'Foo_bar_baz');
  assert.equal(finishTitle('100%_Pure'), '100%_Pure', 'a malformed escape stays as it is');
  assert.equal(finishTitle('%E0%A4%A'), '%E0%A4%A');
  for (const bad of ['', 'a<b', 'a>b', 'a|b', 'a[b', 'a]b', 'a{b', 'a}b', 'a%23b', 'a%3Cb', 'a%7Cb', 'a%00b', 'a%1Fb', 'a%7Fb', 'tab\there']) {
    assert.equal(finishTitle(bad), '-', JSON.stringify(bad));
  }
  assert.equal(finishTitle('x'.repeat(512)), 'x'.repeat(512));
  assert.equal(finishTitle('x'.repeat(513)), '-');
  assert.equal(finishTitle('é'.repeat(256)), 'é'.repeat(256), '512 bytes in UTF-8');
  assert.equal(finishTitle('é'.repeat(256) + 'x'), '-', '513 bytes in UTF-8');
  assert.equal(finishTitle('%C3%A9'.repeat(257)), '-');
});

test('queryParam matches whole names only', () => {
  assert.equal(queryParam('?title=A&page=B', 'page'), 'B');
  assert.equal(queryParam('?subpage=A', 'page'), undefined);
  assert.equal(queryParam('title=A', 'title'), 'A');
  assert.equal(queryParam('-', 'title'), undefined);
});

test('titleFromPath', () => {
  assert.equal(titleFromPath('/wiki/Foo?x=1'), 'Foo');
  assert.equal(titleFromPath('/w/load.php'), 'load.php');
  assert.equal(titleFromPath('/Foo'), '');
});
