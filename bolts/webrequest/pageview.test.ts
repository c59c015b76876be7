import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalize } from './canonicalize.js';
import {
  consumesContent,
  isPageview,
  isPageviewHost,
  isWebPageviewRequest,
  pageviewProjectOf,
} from './pageview.js';
import type { PageviewInfo, WebrequestInput } from './schema.js';
import { APP_UA, IPHONE_UA, inputRecord } from './test-fixtures.js';

const classify = (overrides: Partial<WebrequestInput>): PageviewInfo | null => {
  const rec = canonicalize(inputRecord(overrides), { source: 'text' });
  assert.equal(rec.is_pageview, rec.pageview_info !== null);
  return rec.pageview_info;
};

test('desktop article view is a pageview with project, variant and decoded title', () => {
  assert.deepEqual(classify({}), { project: 'en.wikipedia', language_variant: 'default', page_title: 'Zürich' });
});

test('mobile web article view counts for the same project', () => {
  assert.deepEqual(classify({ uri_host: 'en.m.wikipedia.org', user_agent: IPHONE_UA, uri_path: '/wiki/Albert_Einstein' }), {
    project: 'en.wikipedia',
    language_variant: 'default',
    page_title: 'Albert_Einstein',
  });
});

test('app pageview needs WikipediaApp and pageview=1, whatever the content type or path', () => {
  const app = {
    uri_host: 'en.m.wikipedia.org',
    user_agent: APP_UA,
    uri_path: '/api/rest_v1/page/mobile-html/Ada_Lovelace',
    content_type: 'text/html; charset=utf-8',
  };
  assert.deepEqual(classify({ ...app, x_analytics: 'pageview=1;ns=0' }), {
    project: 'en.wikipedia',
    language_variant: 'default',
    page_title: 'Ada_Lovelace',
  });
  assert.equal(classify({ ...app, x_analytics: 'ns=0' }), null);
  assert.equal(classify({ ...app, x_analytics: 'pageview=0' }), null);
  // An app request is never judged as a web pageview, even on an article path.
  assert.equal(classify({ user_agent: APP_UA, uri_path: '/wiki/Foo', x_analytics: '-' }), null);
  assert.deepEqual(classify({ user_agent: APP_UA, uri_path: '/w/api.php', uri_query: '?action=mobileview&page=Foo', content_type: 'application/json', x_analytics: 'pageview=1' }), {
    project: 'en.wikipedia',
    language_variant: '-',
    page_title: 'Foo',
  });
});

test('language variants from the path', () => {
  assert.deepEqual(classify({ uri_host: 'sr.wikipedia.org', uri_path: '/sr-ec/%D0%A1%D1%80%D0%B1%D0%B8%D1%98%D0%B0' }), {
    project: 'sr.wikipedia',
    language_variant: 'sr-ec',
    page_title: 'Србија',
  });
  assert.deepEqual(classify({ uri_host: 'zh.wikipedia.org', uri_path: '/zh-hans/%E5%8C%97%E4%BA%AC%E5%B8%82' }), {
    project: 'zh.wikipedia',
    language_variant: 'zh-hans',
    page_title: '北京市',
  });
  assert.deepEqual(classify({ uri_host: 'zh.m.wikipedia.org', uri_path: '/zh-tw/Foo', user_agent: IPHONE_UA }), {
    project: 'zh.wikipedia',
    language_variant: 'zh-tw',
    page_title: 'Foo',
  });
  // /zh-xx/ outside the listed variants is not an article path.
  assert.equal(classify({ uri_host: 'zh.wikipedia.org', uri_path: '/zh-xx/Foo' }), null);
});

test('special pages: only search, recentchanges, version, viewobject and allevents consume content', () => {
  const base = { uri_path: '/w/index.php', uri_query: '?search=einstein&title=Special%3ASearch' };
  assert.deepEqual(classify({ ...base, x_analytics: 'special=Search;ns=-1' }), {
    project: 'en.wikipedia',
    language_variant: 'default',
    page_title: 'Special:Search',
  });
  for (const special of ['RecentChanges', 'version', 'ViewObject', 'AllEvents']) {
    assert.notEqual(classify({ uri_path: `/wiki/Special:${special}`, x_analytics: `special=${special}` }), null, special);
  }
  for (const special of ['Watchlist', 'BlankPage', 'EntityData']) {
    assert.equal(classify({ uri_path: `/wiki/Special:${special}`, x_analytics: `special=${special}` }), null, special);
  }
});

test('preview and debug never consume content', () => {
  assert.equal(classify({ x_analytics: 'preview=1' }), null);
  assert.equal(classify({ x_analytics: 'ns=0;debug=1' }), null);
  assert.equal(classify({ x_analytics: 'special=Search;preview=' }), null);
  assert.equal(consumesContent({}), true);
  assert.equal(consumesContent({ ns: '0', https: '1' }), true);
  assert.equal(consumesContent({ special: 'SEARCH' }), true);
  assert.equal(consumesContent({ special: 'Export' }), false);
});

test('api.php, edits and submits are not pageviews', () => {
  assert.equal(classify({ uri_path: '/w/api.php', uri_query: '?action=query&titles=Foo' }), null);
  assert.equal(classify({ uri_path: '/wiki/api.php' }), null);
  assert.equal(classify({ uri_path: '/w/index.php', uri_query: '?title=Foo&action=edit' }), null);
  assert.equal(classify({ uri_path: '/w/index.php', uri_query: '?title=Foo&action=submit' }), null);
  assert.equal(classify({ uri_path: '/w/index.php', uri_query: '?title=Foo&ACTION=EDIT' }), null);
});

test('title= parameter wins, with + as _ and percent-decoding', () => {
  assert.deepEqual(classify({ uri_path: '/w/index.php', uri_query: '?title=Rock+%27n%27+roll&oldid=123' }), {
    project: 'en.wikipedia',
    language_variant: 'default',
    page_title: "Rock_'n'_roll",
  });
  assert.equal(classify({ uri_path: '/w/index.php', uri_query: '?title=C%2B%2B' })?.page_title, 'C++');
  assert.equal(classify({ uri_path: '/w/index.php', uri_query: '?curid=736' })?.page_title, '-');
  assert.equal(classify({ uri_path: '/w/index.php', uri_query: '?oldid=9&title=First&title=Second' })?.page_title, 'First');
});

test('content types must be exactly one of the HTML types', () => {
  for (const ct of ['text/html', 'text/html; charset=iso-8859-1', 'text/html; charset=ISO-8859-1', 'text/html; charset=utf-8', 'text/html; charset=UTF-8']) {
    assert.notEqual(classify({ content_type: ct }), null, ct);
  }
  for (const ct of ['text/html;charset=UTF-8', 'application/json', 'text/html; charset=Utf-8', '-']) {
    assert.equal(classify({ content_type: ct }), null, ct);
  }
});

test('304 counts like 200; other statuses do not', () => {
  assert.notEqual(classify({ http_status: '304' }), null);
  for (const s of ['301', '404', '500', '206']) assert.equal(classify({ http_status: s }), null, s);
});

test('hosts: Wikimedia projects only, trailing dot and port tolerated', () => {
  assert.equal(classify({ uri_host: 'example.org' }), null);
  assert.equal(classify({ uri_host: 'en.wikipedia.org.evil.com' }), null);
  assert.equal(classify({ uri_host: 'www.wikipedia.org' }), null);
  assert.equal(classify({ uri_host: 'donate.wikipedia.org' }), null);
  assert.equal(classify({ uri_host: 'test.wikidata.org' }), null);
  assert.equal(classify({ uri_host: 'doc.wikimedia.org' }), null);
  assert.deepEqual(classify({ uri_host: 'EN.Wikipedia.org.' })?.project, 'en.wikipedia');
  assert.deepEqual(classify({ uri_host: 'en.wikipedia.org:443' })?.project, 'en.wikipedia');
  assert.deepEqual(classify({ uri_host: 'en.m.wikipedia.org.:80', user_agent: IPHONE_UA })?.project, 'en.wikipedia');
  assert.equal(classify({ uri_host: 'www.wikidata.org', uri_path: '/wiki/Q42' })?.project, 'wikidata');
  assert.equal(classify({ uri_host: 'm.wikidata.org', uri_path: '/wiki/Q42' })?.project, 'wikidata');
  assert.equal(classify({ uri_host: 'commons.wikimedia.org', uri_path: '/wiki/File:X.jpg' })?.project, 'commons.wikimedia');
  assert.equal(classify({ uri_host: 'commons.m.wikimedia.org', uri_path: '/wiki/Main_Page' })?.project, 'commons.wikimedia');
  assert.equal(classify({ uri_host: 'www.mediawiki.org', uri_path: '/wiki/Manual:Hooks' })?.project, 'mediawiki');
  assert.equal(classify({ uri_host: 'wikimediafoundation.org', uri_path: '/wiki/About' })?.project, 'wikimediafoundation');
  assert.equal(classify({ uri_host: 'www.wikifunctions.org', uri_path: '/wiki/Z801' })?.project, 'wikifunctions');
});

test('isPageviewHost per the three host patterns', () => {
  for (const h of ['en.wikipedia.org', 'wikipedia.org', 'de.m.wiktionary.org', 'meta.wikimedia.org', 'nl.m.wikimedia.org', 'wikidata.org', 'www.wikidata.org', 'm.mediawiki.org', 'en.zero.wikipedia.org']) {
    assert.equal(isPageviewHost(h), true, h);
  }
  for (const h of ['www.wikipedia.org', 'donate.wikimedia.org', 'upload.wikimedia.org', 'query.wikidata.org', 'test.wikidata.org', 'arbcom-en.wikipedia.org', 'sysop.wikipedia.org', 'en.wikipedia.com', 'wikipedia.org.uk', 'en.wikipedia.org.', '-']) {
    assert.equal(isPageviewHost(h), false, h);
  }
});

test('pageviewProjectOf counts labels before dropping a qualifier', () => {
  assert.equal(pageviewProjectOf('wikidata.org'), 'wikidata');
  assert.equal(pageviewProjectOf('en.wikipedia.org'), 'en.wikipedia');
  assert.equal(pageviewProjectOf('www.wikidata.org'), 'wikidata');
  assert.equal(pageviewProjectOf('m.wikidata.org'), 'wikidata');
  assert.equal(pageviewProjectOf('en.m.wikipedia.org'), 'en.wikipedia');
  assert.equal(pageviewProjectOf('www.m.wikidata.org'), 'wikidata');
  assert.equal(pageviewProjectOf('en.zero.m.wikipedia.org'), 'en.wikipedia');
  assert.equal(pageviewProjectOf('a.b.c.d.wikipedia.org'), '-');
  assert.equal(pageviewProjectOf('localhost'), '-');
});

test('web pageview paths and queries', () => {
  const html = 'text/html';
  assert.equal(isWebPageviewRequest(html, '/wiki/Foo', ''), true);
  assert.equal(isWebPageviewRequest(html, '/w/index.php', '?title=Foo'), true);
  assert.equal(isWebPageviewRequest(html, '/w/index.php', '?oldid=1'), true);
  assert.equal(isWebPageviewRequest(html, '/w/index.php', '?curid=1'), true);
  assert.equal(isWebPageviewRequest(html, '/view/sr-el/Foo', ''), true);
  assert.equal(isWebPageviewRequest(html, '/sr-el/Foo', ''), true);
  assert.equal(isWebPageviewRequest(html, '/srx/Foo', ''), false);
  assert.equal(isWebPageviewRequest(html, '/', ''), false);
  assert.equal(isWebPageviewRequest(html, '/', '?search=foo'), true);
  assert.equal(isWebPageviewRequest(html, '/', '?x=1&title=Foo'), false);
  assert.equal(isWebPageviewRequest(html, '/static/x.html', ''), false);
});

test('isPageview takes the request fields directly', () => {
  const rec = inputRecord();
  assert.equal(isPageview(rec, 'en.wikipedia.org', {}), true);
  assert.equal(isPageview(rec, 'en.wikipedia.org', {}, false), false);
});
