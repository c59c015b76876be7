/**
 * The README's main job as a user runs it: 100,000 generated varnishkafka lines in an NDJSON
 * file, through `nimbus local topologies/webrequest.ts`, with nothing installed. Every line ends
 * up exactly once, refined in its event hour or in the error files with a reason.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, test } from 'node:test';
import { repoTempDir, runNimbus } from '../support/index.js';

const work = repoTempDir('webrequest-local');
after(() => rmSync(work, { recursive: true, force: true }));

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const ndjson = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

test('100,000 NDJSON lines: refined NDJSON by event hour, errors with reasons, dumps and sequence stats; nothing lost or doubled', { timeout: 240_000 }, async () => {
  const input = join(work, 'requests.ndjson');
  const gen = await runNimbus(['generate', '-n', '100000', '--seed', '5', '--malformed', '0.02', '-o', input]);
  assert.equal(gen.code, 0, gen.stderr);
  const lines = readFileSync(input, 'utf8').split('\n').filter(Boolean);
  assert.equal(lines.length, 100_000);

  const output = join(work, 'out');
  const r = await runNimbus(['local', 'topologies/webrequest.ts', '--no-typecheck', '-q', '-c', `input=${input}`, '-c', `output=${output}`, '-c', 'format=ndjson']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /stopped after [\d.]+ s: input exhausted, every tuple acked\./);
  assert.match(r.stdout, /source\s+spout\s+100,000\s+-\s+100,000\s+0/);

  const files = filesUnder(output);
  assert.deepEqual(files.filter((f) => /\/_tmp\./.test(f)), [], 'no temporary file is left');
  const refinedFiles = files.filter((f) => /\/webrequest\/year=\d{4}\/month=\d\d\/day=\d\d\/hour=\d\d\/part-[^/]+\.ndjson$/.test(f));
  assert.ok(refinedFiles.length > 0);

  const seen = new Set<string>();
  for (const file of refinedFiles) {
    const [, y, m, d, h] = /year=(\d+)\/month=(\d+)\/day=(\d+)\/hour=(\d+)/.exec(file)!;
    for (const rec of ndjson(file)) {
      const at = new Date(rec.ts as number);
      assert.deepEqual([at.getUTCFullYear(), at.getUTCMonth() + 1, at.getUTCDate(), at.getUTCHours()], [+y!, +m!, +d!, +h!], `${rec.dt} in ${relative(output, file)}`);
      assert.match(rec.client_ip as string, /^[0-9a-f]{64}$/);
      assert.equal('ip' in rec || 'x_forwarded_for' in rec, false, 'raw IP fields are gone');
      const key = `${rec.hostname}#${rec.sequence}`;
      assert.ok(!seen.has(key), `${key} was written twice`);
      seen.add(key);
    }
  }
  const refined = refinedFiles.reduce((n, f) => n + ndjson(f).length, 0);
  const errors = files.filter((f) => f.includes('/errors/')).flatMap(ndjson);
  for (const e of errors) {
    assert.ok(typeof e.reason === 'string' && (e.reason as string).length > 0, 'every error has a reason');
    assert.match(e.origin as string, /^requests\.ndjson#[0-9a-f]{16}\/0@\d+$/);
  }
  const origins = new Set(errors.map((e) => e.origin));
  assert.equal(origins.size, errors.length, 'each bad line is reported once');
  assert.equal(refined + errors.length, 100_000, 'every line is refined or reported, once');
  assert.ok(errors.length >= 1500 && errors.length <= 2600, `about 2% malformed, got ${errors.length}`);

  const dump = files.find((f) => /\/pageviews\/pageviews-\d{8}-\d{6}$/.test(f));
  assert.ok(dump, 'an hourly pageview dump was written');
  const dumpLines = readFileSync(dump!, 'utf8').split('\n').filter(Boolean);
  assert.ok(dumpLines.every((l) => /^\S+ \S+ \d+ 0$/.test(l)));
  assert.deepEqual(dumpLines, [...dumpLines].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), 'dump lines are sorted');
  const stats = files.filter((f) => f.includes('/sequence-stats/')).flatMap(ndjson);
  assert.equal(new Set(stats.map((s) => s.hostname)).size, 8, 'one row per host for its hour');
});
