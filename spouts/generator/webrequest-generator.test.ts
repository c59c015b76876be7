import { test } from 'node:test';
import assert from 'node:assert/strict';
// The generator's purpose is to feed the refinery, so this test checks the fit against it.
import { canonicalize } from '../../bolts/webrequest/canonicalize.js';
import { parseWebrequestLine } from '../../bolts/webrequest/parse.js';
import { WebrequestGenerator, compileGeneratorOptions } from './webrequest-generator.js';
import { TITLES, wikiUrlEncode } from './webrequest-corpus.js';

test('deterministic for a seed', () => {
  const a = new WebrequestGenerator({ seed: 99 });
  const b = new WebrequestGenerator({ seed: 99 });
  const c = new WebrequestGenerator({ seed: 100 });
  const la = Array.from({ length: 500 }, () => a.nextLine());
  assert.deepEqual(Array.from({ length: 500 }, () => b.nextLine()), la);
  assert.notDeepEqual(Array.from({ length: 500 }, () => c.nextLine()), la);
});

test('each host has its own monotonic sequence from 1; loss makes gaps', () => {
  const gen = new WebrequestGenerator({ seed: 3, hosts: 5, malformedShare: 0 });
  const last = new Map<string, number>();
  for (let i = 0; i < 5000; i++) {
    const { record } = gen.next();
    const prev = last.get(record!.hostname) ?? 0;
    assert.equal(record!.sequence, prev + 1);
    last.set(record!.hostname, record!.sequence);
  }
  assert.equal(last.size, 5);
  const lossy = new WebrequestGenerator({ seed: 3, hosts: 1, malformedShare: 0, lossShare: 0.1 });
  let gaps = 0;
  let prev = 0;
  for (let i = 0; i < 2000; i++) {
    const s = lossy.next().record!.sequence;
    assert.ok(s > prev);
    if (s !== prev + 1) gaps++;
    prev = s;
  }
  assert.ok(gaps > 100 && gaps < 300, String(gaps));
});

test('dt starts at startMs and advances at the configured rate', () => {
  const startMs = Date.UTC(2026, 0, 1, 0, 0, 0);
  const gen = new WebrequestGenerator({ seed: 1, startMs, recordsPerSecond: 100, malformedShare: 0, incompleteShare: 0 });
  const dts = Array.from({ length: 1000 }, () => gen.next().record!.dt);
  assert.equal(dts[0], '2026-01-01T00:00:00Z');
  assert.equal(dts[99], '2026-01-01T00:00:00Z');
  assert.equal(dts[100], '2026-01-01T00:00:01Z');
  assert.equal(dts[999], '2026-01-01T00:00:09Z');
});

test('the malformed share is roughly as configured, and every malformed line is rejected', () => {
  const gen = new WebrequestGenerator({ seed: 5, malformedShare: 0.05 });
  let malformed = 0;
  for (let i = 0; i < 20_000; i++) {
    const g = gen.next();
    const parsed = parseWebrequestLine(g.line);
    assert.equal(parsed.ok, g.malformed === null, `${g.malformed}: ${g.line.slice(0, 80)}`);
    if (g.malformed !== null) malformed++;
  }
  assert.ok(Math.abs(malformed / 20_000 - 0.05) < 0.006, String(malformed));
});

test('a realistic mix: pageviews, mobile, app, bots, IPv6, non-ASCII titles', () => {
  const gen = new WebrequestGenerator({ seed: 11, malformedShare: 0 });
  const n = 20_000;
  let pageviews = 0;
  let spiders = 0;
  let ipv6 = 0;
  let nonAscii = 0;
  const access = new Map<string, number>();
  const projects = new Set<string>();
  for (let i = 0; i < n; i++) {
    const parsed = parseWebrequestLine(gen.nextLine());
    assert.ok(parsed.ok);
    const rec = canonicalize(parsed.record, { source: 'text' });
    if (rec.is_pageview) {
      pageviews++;
      projects.add(rec.pageview_info!.project);
      if (/[^\x20-\x7e]/.test(rec.pageview_info!.page_title)) nonAscii++;
    }
    if (rec.agent_type === 'spider') spiders++;
    if (rec.ip.includes(':')) ipv6++;
    access.set(rec.access_method, (access.get(rec.access_method) ?? 0) + 1);
  }
  assert.ok(pageviews / n > 0.35 && pageviews / n < 0.75, `pageviews ${pageviews / n}`);
  assert.ok(spiders / n > 0.08 && spiders / n < 0.3, `spiders ${spiders / n}`);
  assert.ok(ipv6 / n > 0.2 && ipv6 / n < 0.3, `ipv6 ${ipv6 / n}`);
  assert.ok(nonAscii > 100, `non-ASCII titles ${nonAscii}`);
  for (const m of ['desktop', 'mobile web', 'mobile app']) assert.ok((access.get(m) ?? 0) / n > 0.05, m);
  for (const p of ['en.wikipedia', 'de.wikipedia', 'wikidata', 'commons.wikimedia', 'sr.wikipedia', 'zh.wikipedia']) {
    assert.ok(projects.has(p), p);
  }
});

test('titles are encoded as MediaWiki does', () => {
  assert.equal(wikiUrlEncode('AC/DC'), 'AC/DC');
  assert.equal(wikiUrlEncode('Talk:Python_(programming_language)'), 'Talk:Python_(programming_language)');
  assert.equal(wikiUrlEncode('C++'), 'C%2B%2B');
  assert.equal(wikiUrlEncode('Zürich'), 'Z%C3%BCrich');
  assert.ok(TITLES.includes('100%_Pure'));
});

test('options are validated', () => {
  assert.throws(() => compileGeneratorOptions({ hosts: 0 }), RangeError);
  assert.throws(() => compileGeneratorOptions({ malformedShare: 2 }), RangeError);
  assert.throws(() => compileGeneratorOptions({ recordsPerSecond: 0 }), RangeError);
});
