import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanHost, normalizeHost } from './normalized-host.js';

const nh = (project_class: string, project: string, qualifiers: string[], tld: string) => ({
  project_class,
  project,
  qualifiers,
  tld,
  project_family: project_class,
});

test('normalizeHost: the spec examples', () => {
  assert.deepEqual(normalizeHost('en.wikipedia.org'), nh('wikipedia', 'en', [], 'org'));
  assert.deepEqual(normalizeHost('en.m.wikipedia.org'), nh('wikipedia', 'en', ['m'], 'org'));
  assert.deepEqual(normalizeHost('en.zero.m.wikipedia.org'), nh('wikipedia', 'en', ['zero', 'm'], 'org'));
  assert.deepEqual(normalizeHost('www.wikidata.org'), nh('wikidata', '-', [], 'org'));
  assert.deepEqual(normalizeHost('m.wikidata.org'), nh('wikidata', '-', ['m'], 'org'));
  assert.deepEqual(normalizeHost('wikidata.org'), nh('wikidata', '-', [], 'org'));
  assert.deepEqual(normalizeHost('commons.m.wikimedia.org'), nh('wikimedia', 'commons', ['m'], 'org'));
  assert.deepEqual(normalizeHost('download.wikimedia.org'), nh('wikimedia', '-', ['download'], 'org'));
  assert.deepEqual(normalizeHost('mobile.wap.example.co'), nh('example', '-', ['mobile', 'wap'], 'co'));
});

test('normalizeHost: case, port, trailing and repeated dots', () => {
  assert.deepEqual(normalizeHost('EN.M.Wikipedia.ORG'), nh('wikipedia', 'en', ['m'], 'org'));
  assert.deepEqual(normalizeHost('en.wikipedia.org:8080'), nh('wikipedia', 'en', [], 'org'));
  assert.deepEqual(normalizeHost('en.wikipedia.org.'), nh('wikipedia', 'en', [], 'org'));
  assert.deepEqual(normalizeHost('en.wikipedia.org.:443'), nh('wikipedia', 'en', [], 'org'));
  assert.deepEqual(normalizeHost('en..m...wikipedia.org'), nh('wikipedia', 'en', ['m'], 'org'));
  assert.deepEqual(normalizeHost('  de.wikipedia.org '), nh('wikipedia', 'de', [], 'org'));
});

test('normalizeHost: one label, IP addresses and - give empty values', () => {
  const empty = { project_class: '-', project: '-', qualifiers: [], tld: '-', project_family: '-' };
  assert.deepEqual(normalizeHost('localhost'), empty);
  assert.deepEqual(normalizeHost('208.80.154.224'), empty);
  assert.deepEqual(normalizeHost('208.80.154.224:80'), empty);
  assert.deepEqual(normalizeHost('[2620:0:861:ed1a::1]:443'), empty);
  assert.deepEqual(normalizeHost('-'), empty);
  assert.deepEqual(normalizeHost(''), empty);
});

test('cleanHost strips port and trailing dots and lowercases', () => {
  assert.equal(cleanHost('En.Wikipedia.Org.:443'), 'en.wikipedia.org');
  assert.equal(cleanHost('en.wikipedia.org..'), 'en.wikipedia.org');
  assert.equal(cleanHost('[::1]:80'), '[::1]');
});
