/**
 * The end of a webrequest run, as a user reads it: the records line counts blank lines skipped,
 * and a closing block says where the output went, how many records were refined, the errors by
 * kind of reason, and the pageview lines written; each count matches the files.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { filesUnder } from '../support/file-input.js';
import { repoTempDir, runNimbus } from '../support/index.js';

const work = repoTempDir('webrequest-summary');
after(() => rmSync(work, { recursive: true, force: true }));

const linesOf = (files: string[]) => files.flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean));

test('the summary counts blank lines and closes with the output directory, records refined, errors by reason and pageview lines', { timeout: 120_000 }, async () => {
  const generated = join(work, 'generated.ndjson');
  const gen = await runNimbus(['generate', '-n', '3000', '--seed', '7', '--malformed', '0.05', '-o', generated]);
  assert.equal(gen.code, 0, gen.stderr);
  const input = join(work, 'requests.ndjson');
  const lines = readFileSync(generated, 'utf8').split('\n').filter(Boolean);
  writeFileSync(input, [...lines.slice(0, 10), '', '  \t ', ...lines.slice(10), ''].join('\n'));

  const output = join(work, 'out');
  const r = await runNimbus(['local', 'topologies/webrequest.ts', '--no-typecheck', '-q', '-c', `input=${input}`, '-c', `output=${output}`, '-c', 'format=ndjson']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^records not written anywhere: 0; given up to errors after their retries: 0; blank lines skipped \(no record in them\): 2$/m);

  const files = filesUnder(output);
  const refined = linesOf(files.filter((f) => /\/webrequest\/year=.*\/part-[^/]*$/.test(f))).length;
  const errors = linesOf(files.filter((f) => f.includes('/errors/'))).map((l) => JSON.parse(l) as { reason: string });
  const pageviewLines = linesOf(files.filter((f) => f.includes('/pageviews/pageviews-'))).length;
  assert.equal(refined + errors.length, 3000, 'every record refined or in errors');
  const malformedJson = errors.filter((e) => e.reason === 'malformed JSON').length;
  assert.ok(malformedJson > 0 && pageviewLines > 0);

  const block = r.stdout.slice(r.stdout.lastIndexOf('\n\noutput: ') + 2).trimEnd().split('\n');
  assert.equal(block.length, 4, r.stdout);
  assert.equal(block[0], `output: ${output}`);
  assert.equal(block[1], `records refined: ${refined.toLocaleString('en-US')}`);
  assert.match(block[2]!, new RegExp(`^errors written: ${errors.length.toLocaleString('en-US')} \\(.*malformed JSON ${malformedJson}\\b`));
  assert.equal(block[3], `pageview lines written: ${pageviewLines.toLocaleString('en-US')}`);
});
