/**
 * Issue #22: no hang on a bad input. A path that cannot be used is a config error at start-up:
 * exit 2 and a message naming the path and what to do (the test's timeout stands for "within
 * seconds": before the fix, a directory made the spout retry EISDIR until it was killed). A gzip
 * file damaged inside the directory costs one error record naming the file and the byte offset;
 * the other files are read whole and the run ends with exit 0.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { WebrequestRun, assertEveryLineOnce, generatedLines, ndjsonText, readWritten } from '../support/file-input.js';
import { repoTempDir } from '../support/index.js';

const work = repoTempDir('file-input-bad-paths');
after(() => rmSync(work, { recursive: true, force: true }));
const lines = generatedLines(1500, 2205);
const output = join(work, 'out');

async function refused(input: string, message: RegExp, extra: string[] = []): Promise<void> {
  const r = await WebrequestRun.run(input, output, extra);
  assert.equal(r.code, 2, r.output);
  assert.match(r.output, message);
}

test('a missing path: exit 2, naming it', { timeout: 30_000 }, async () => {
  const missing = join(work, 'no-such-dir');
  // Refused by the topology's config check, before the spout opens.
  await refused(missing, new RegExp(`config 'input' is "${missing}": use 'generator', 'kafka', '-' \\(stdin\\), or an existing file, directory or glob \\(${missing} does not exist\\)`));
});

test('a file where a directory was expected (a glob under a file): exit 2, naming it', { timeout: 30_000 }, async () => {
  const file = join(work, 'requests.log');
  writeFileSync(file, ndjsonText(lines.slice(0, 10)));
  await refused(`${file}/*.gz`, new RegExp(`input glob '${file}/\\*\\.gz': '${file}' is a file, not a directory`));
});

test('a glob that matches no file: exit 2, unless --follow waits for files', { timeout: 30_000 }, async () => {
  const dir = join(work, 'empty');
  mkdirSync(dir);
  await refused(`${dir}/*.gz`, new RegExp(`input '${dir}' holds no file to read.*add --follow to wait for files`));
});

test('a file in a compression Squall does not read: exit 2, naming the file and the compression', { timeout: 30_000 }, async () => {
  const dir = join(work, 'bzip2');
  mkdirSync(dir);
  writeFileSync(join(dir, 'a.log'), ndjsonText(lines.slice(0, 10)));
  writeFileSync(join(dir, 'b.log.bz2'), Buffer.from('BZh91AY&SY\x00\x00'));
  await refused(dir, new RegExp(`input file '${dir}/b.log.bz2' is compressed with bzip2, which Squall does not read`));
});

test('a follow value that is not true or false: exit 2', { timeout: 30_000 }, async () => {
  await refused(join(work, 'requests.log'), /config 'follow' is "yes": use true or false/, ['-c', 'follow=yes']);
});

test('a file that cannot be read (permission denied): exit 2, naming it', { timeout: 30_000 }, async (t) => {
  // As root nothing is denied: the run is made as nobody then. Its files live outside the repository.
  const dir = mkdtempSync(join(tmpdir(), 'squall-file-input-permission-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  chmodSync(dir, 0o777);
  const file = join(dir, 'secret.log');
  writeFileSync(file, ndjsonText(lines.slice(0, 10)));
  chmodSync(file, 0o000);
  const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;
  const r = await new WebrequestRun(dir, join(dir, 'out'), [], undefined, asNobody).exited;
  assert.equal(r.code, 2, r.output);
  assert.match(r.output, new RegExp(`input file '${file}' cannot be read \\(permission denied\\): grant read access`));
});

test('a corrupt gzip file in the directory: the other files are complete, and the error names the file and the byte offset', { timeout: 60_000 }, async () => {
  const dir = join(work, 'corrupt');
  mkdirSync(dir);
  const [a, b1, b2, c] = [lines.slice(0, 500), lines.slice(500, 800), lines.slice(800, 1000), lines.slice(1000, 1500)];
  const member1 = gzipSync(ndjsonText(b1!));
  const member2 = gzipSync(ndjsonText(b2!));
  member2[0] = 0; // the second member's header is damaged
  writeFileSync(join(dir, 'a.log'), ndjsonText(a!));
  writeFileSync(join(dir, 'b.log.gz'), Buffer.concat([member1, member2]));
  writeFileSync(join(dir, 'c.log'), ndjsonText(c!));
  const out = join(work, 'out-corrupt');
  const r = await WebrequestRun.run(dir, out);
  assert.equal(r.code, 0, r.output);
  assert.match(r.output, /input exhausted, every tuple acked/);

  const written = readWritten(out);
  const damage = written.errors.filter((e) => e.from === 'source');
  assert.equal(damage.length, 1, JSON.stringify(damage));
  assert.match(
    String(damage[0]!.reason),
    new RegExp(`^cannot read '${dir}/b.log.gz' on from byte ${member1.length} \\(line 301\\): corrupt gzip data: ${member2.length} bytes after byte ${member1.length} are not gzip data`),
  );
  assert.match(String(damage[0]!.origin), /^b\.log\.gz#[0-9a-f]{16}\/0@301$/);
  assertEveryLineOnce([{ lines: a! }, { lines: b1! }, { lines: c! }], { refined: written.refined, errors: written.errors.filter((e) => e.from !== 'source') });
});
