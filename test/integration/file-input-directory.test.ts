/**
 * Issue #22: a directory of rotated logs as users have them, through `nimbus local
 * topologies/webrequest.ts -c input=<dir>`: one plain file, one gzip file of two concatenated
 * members, one zstd file. Every line ends up refined or in the errors exactly once; running again
 * over the same directory adds nothing; a file that grew is read on from where the last run
 * stopped; a file rotated (renamed and compressed) is recognized and not read again; with the
 * file source's state lost, the refined output alone still says where each file starts.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { type InputLines, WebrequestRun, assertEveryLineOnce, filesUnder, generatedLines, ndjsonText, readWritten } from '../support/file-input.js';
import { REPO_ROOT, repoTempDir } from '../support/index.js';

const work = repoTempDir('file-input-directory');
after(() => rmSync(work, { recursive: true, force: true }));
const input = join(work, 'logs');
const output = join(work, 'out');
mkdirSync(input);

const lines = generatedLines(2300, 2201);
const plain = { lines: lines.slice(0, 1000) };
const gzip = { lines: lines.slice(1000, 2000) };
const zstdFile = readFileSync(join(REPO_ROOT, 'test/fixtures/requests-600.ndjson.zst'));
const zstd = { lines: Buffer.from(zstdDecompress(zstdFile)).toString('utf8').trimEnd().split('\n') };
const grown = lines.slice(2000, 2300);

writeFileSync(join(input, 'webrequest-01.log'), ndjsonText(plain.lines));
writeFileSync(join(input, 'webrequest-02.log'), Buffer.concat([gzipSync(ndjsonText(gzip.lines.slice(0, 400))), gzipSync(ndjsonText(gzip.lines.slice(400)))]));
writeFileSync(join(input, 'webrequest-03.log'), zstdFile);

/** Every output file, with its size; not the checkpoints under _state, which each run saves anew. */
function outputFiles(): string[] {
  return filesUnder(output)
    .filter((f) => !f.includes('/_state/'))
    .map((f) => `${relative(output, f)} ${statSync(f).size}`)
    .sort();
}

const emitted = (out: string) => Number(/^source\s+spout\s+([\d,]+)/m.exec(out)?.[1]?.replace(/,/g, '') ?? NaN);

test('a directory of a plain, a gzip (2 members) and a zstd file, told by content not name: every line refined or in errors exactly once, exit 0', { timeout: 60_000 }, async () => {
  const r = await WebrequestRun.run(input, output);
  assert.equal(r.code, 0, r.output);
  assert.match(r.output, /input exhausted, every tuple acked/);
  assert.equal(emitted(r.output), 2600, r.output);
  assert.match(r.output, /files [0-3]\/3 {2}read [\d.]+ \w+ of [\d.]+ KiB/, 'the status line shows files done and bytes read');
  const written = readWritten(output);
  assertEveryLineOnce([plain, gzip, zstd], written);
  assert.ok(written.errors.length > 0 && written.refined.length > 2400, `${written.refined.length} refined, ${written.errors.length} errors`);
});

test('the same directory run again adds no file', { timeout: 60_000 }, async () => {
  const before = outputFiles();
  const r = await WebrequestRun.run(input, output);
  assert.equal(r.code, 0, r.output);
  assert.equal(emitted(r.output), 0, 'no line is emitted again');
  assert.deepEqual(outputFiles(), before);
});

test('a file that grew since the last run is read on from where that run stopped', { timeout: 60_000 }, async () => {
  appendFileSync(join(input, 'webrequest-01.log'), ndjsonText(grown));
  const r = await WebrequestRun.run(input, output);
  assert.equal(r.code, 0, r.output);
  assert.equal(emitted(r.output), 300, 'only the new lines');
  assertEveryLineOnce([{ lines: [...plain.lines, ...grown] }, gzip, zstd], readWritten(output));
});

test('a rotated file, renamed and compressed (logrotate), is the same source: nothing is read again', { timeout: 60_000 }, async () => {
  const rotated: InputLines = { lines: [...plain.lines, ...grown] };
  writeFileSync(join(input, 'webrequest-01.log.1.gz'), gzipSync(readFileSync(join(input, 'webrequest-01.log'))));
  unlinkSync(join(input, 'webrequest-01.log'));
  const before = outputFiles();
  const r = await WebrequestRun.run(input, output);
  assert.equal(r.code, 0, r.output);
  assert.equal(emitted(r.output), 0);
  assert.deepEqual(outputFiles(), before);
  assertEveryLineOnce([rotated, gzip, zstd], readWritten(output));
});

test('the file source state lost: each file, the rotated one under its first name, starts at its first line not refined; no refined record is added', { timeout: 60_000 }, async () => {
  const rotated: InputLines = { lines: [...plain.lines, ...grown] };
  const refinedBefore = outputFiles().filter((f) => f.startsWith('webrequest/'));
  const refinedKeys = new Set(readWritten(output).refined.map((r) => `${r.hostname}#${r.sequence}#${r.dt}`));
  // Each file is read again from its first line that went to errors, not to the refined output.
  const expected = [rotated, gzip, zstd].reduce((n, f) => {
    const first = f.lines.findIndex((l) => {
      try {
        const r = JSON.parse(l) as Record<string, unknown>;
        return !refinedKeys.has(`${r.hostname}#${r.sequence}#${r.dt}`);
      } catch {
        return true;
      }
    });
    return n + f.lines.length - first;
  }, 0);
  rmSync(join(output, '_state/file-source'), { recursive: true });
  const r = await WebrequestRun.run(input, output);
  assert.equal(r.code, 0, r.output);
  assert.equal(emitted(r.output), expected, `the lines from each file's first line not refined on, of ${rotated.lines.length + gzip.lines.length + zstd.lines.length}`);
  assert.deepEqual(
    outputFiles().filter((f) => f.startsWith('webrequest/')),
    refinedBefore,
    'no refined record is added',
  );
  // The errors read again are recognized by their origins in the committed error files (#12).
  assertEveryLineOnce([rotated, gzip, zstd], readWritten(output));
});
