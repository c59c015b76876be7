import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PageviewCounter, domainCodeOf, type PageviewCountable } from './pageview-dump.js';
import type { AccessMethod } from './schema.js';

test('domain codes for every family, desktop and mobile', () => {
  const cases: [string, string, string][] = [
    ['en.wikipedia', 'en', 'en.m'],
    ['de.wikibooks', 'de.b', 'de.m.b'],
    ['en.wiktionary', 'en.d', 'en.m.d'],
    ['wikimediafoundation', 'www.f', 'm.f'],
    ['commons.wikimedia', 'commons.m', 'commons.m.m'],
    ['meta.wikimedia', 'meta.m', 'meta.m.m'],
    ['en.wikinews', 'en.n', 'en.m.n'],
    ['fr.wikiquote', 'fr.q', 'fr.m.q'],
    ['fr.wikisource', 'fr.s', 'fr.m.s'],
    ['en.wikiversity', 'en.v', 'en.m.v'],
    ['en.wikivoyage', 'en.voy', 'en.m.voy'],
    ['mediawiki', 'www.w', 'm.w'],
    ['wikidata', 'www.wd', 'm.wd'],
    ['wikipedia', 'www', 'm'],
  ];
  for (const [project, desktop, mobile] of cases) {
    assert.equal(domainCodeOf(project, 'desktop'), desktop, project);
    assert.equal(domainCodeOf(project, 'mobile web'), mobile, project);
    assert.equal(domainCodeOf(project, 'mobile app'), mobile, project);
  }
});

test('projects without a suffix are not dumped', () => {
  assert.equal(domainCodeOf('wikifunctions', 'desktop'), undefined);
  assert.equal(domainCodeOf('-', 'desktop'), undefined);
  assert.equal(domainCodeOf('en.constructor', 'desktop'), undefined);
  assert.equal(domainCodeOf('example', 'desktop'), undefined);
});

const pv = (project: string, page_title: string, access_method: AccessMethod = 'desktop', agent: 'user' | 'spider' = 'user'): PageviewCountable => ({
  is_pageview: true,
  agent_type: agent,
  access_method,
  pageview_info: { project, language_variant: 'default', page_title },
});

test('counts user pageviews only and writes sorted lines', () => {
  const c = new PageviewCounter();
  const records = [
    pv('en.wikipedia', 'Zürich'),
    pv('en.wikipedia', 'Zürich'),
    pv('en.wikipedia', 'Zürich', 'mobile web'),
    pv('en.wikipedia', 'Zürich', 'mobile app'),
    pv('en.wikipedia', 'Main_Page'),
    pv('en.wikipedia', 'Main_Page', 'desktop', 'spider'),
    pv('wikidata', 'Q42'),
    pv('wikidata', 'Q42', 'mobile web'),
    pv('de.wikipedia', 'Berlin'),
    pv('wikifunctions', 'Z801'),
    { ...pv('en.wikipedia', 'X'), is_pageview: false },
  ];
  const counted = records.map((r) => c.add(r));
  assert.deepEqual(counted, [true, true, true, true, true, false, true, true, true, false, false]);
  assert.deepEqual(c.lines(), [
    'de Berlin 1 0',
    'en Main_Page 1 0',
    'en Zürich 2 0',
    'en.m Zürich 2 0',
    'm.wd Q42 1 0',
    'www.wd Q42 1 0',
  ]);
});

test('counters merge', () => {
  const a = new PageviewCounter();
  const b = new PageviewCounter();
  a.add(pv('en.wikipedia', 'A'));
  b.add(pv('en.wikipedia', 'A'));
  b.add(pv('en.wikipedia', 'B'));
  assert.deepEqual(a.merge(b).lines(), ['en A 2 0', 'en B 1 0']);
  assert.equal(a.size, 2);
});
