/**
 * The README's main job with its output on a small disk (a tmpfs the test mounts, as root, as CI
 * runs): a full disk never ends in a reported success. The run stops within a bounded time with
 * exit 1 and a reason that names the full disk, says little about it, and counts what is not
 * written; the same command re-run once the disk has grown completes the output, each line
 * refined or in errors exactly once. Space freed during the run lets it finish by itself. An
 * output that cannot be written at all is refused at start as a config error.
 *
 * It once found a committed file whose last line was cut: a write to a disk about to fill takes
 * only what fits, and the local file system took that for the whole chunk. A line that does not
 * parse fails naming its file and line.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { canMount, mountTmpfs, repoTempDir, runNimbus, type Tmpfs } from '../support/index.js';

const LINES = 20_000;
const work = repoTempDir('storage-full');
const input = join(work, 'requests.ndjson');
const mounts: Tmpfs[] = [];
after(() => {
  for (const m of mounts) m.unmount();
  rmSync(work, { recursive: true, force: true });
});
before(async () => {
  if (!canMount()) return;
  const gen = await runNimbus(['generate', '-n', String(LINES), '--seed', '7', '--malformed', '0.02', '-o', input]);
  assert.equal(gen.code, 0, gen.stderr);
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** The records of an NDJSON file; a line that does not parse fails naming the file, the line and its neighbours. */
function ndjson(file: string): Record<string, unknown>[] {
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  return lines.map((l, i) => {
    try {
      return JSON.parse(l) as Record<string, unknown>;
    } catch (error) {
      throw new Error(`${file} line ${i + 1} of ${lines.length} does not parse (${(error as Error).message}): ${l.slice(0, 600)}`);
    }
  });
}

/** Every line of the input is refined or in errors, exactly once. */
function assertComplete(output: string): void {
  const files = filesUnder(output);
  const refined = files.filter((f) => /\/webrequest\/year=\d{4}\/month=\d\d\/day=\d\d\/hour=\d\d\/part-[^/]+\.ndjson$/.test(f)).flatMap(ndjson);
  const keys = new Set(refined.map((r) => `${String(r.hostname)}#${String(r.sequence)}`));
  assert.equal(keys.size, refined.length, 'no refined record is written twice');
  const errors = files.filter((f) => /\/errors\/errors-[^/]+\.ndjson$/.test(f)).flatMap(ndjson);
  assert.equal(new Set(errors.map((e) => e.origin)).size, errors.length, 'each bad line is in errors once');
  assert.equal(refined.length + errors.length, LINES, 'every line is refined or in errors');
}

const local = (output: string, ...more: string[]) =>
  ['local', 'topologies/webrequest.ts', '--no-typecheck', '-q', '-c', `input=${input}`, '-c', `output=${output}`, '-c', 'format=ndjson', '-c', 'threads=0', ...more];

test('a full disk stops the run with exit 1, the reason and the count of what is not written; grown, the same command completes the output', { timeout: 240_000 }, async (t) => {
  if (!canMount()) return t.skip('mounting a tmpfs needs root (CI runs as root)');
  const disk = mountTmpfs('4m');
  mounts.push(disk);
  const output = join(disk.dir, 'out');
  const args = local(output, '-c', 'storageDeadlineMs=5000');

  const first = await runNimbus(args);
  assert.equal(first.code, 1, first.stdout + first.stderr);
  const lastLine = first.stderr.trim().split('\n').at(-1)!;
  assert.match(lastLine, /^nimbus local: topology 'webrequest' failed: .*still failing after \d+ s \(storageDeadlineMs 5000\): the storage is full: .* on file:\/\/ failed \(ENOSPC.*free of a disk of 4\.0 MiB\).*\[SQUALL_ERR_STORAGE_FULL\]$/);
  assert.match(lastLine, new RegExp(disk.dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'it names the path');
  const aboutIt = first.stderr.split('\n').filter((l) => /storage is full|storage could not take writes/.test(l));
  assert.ok(aboutIt.length >= 2 && aboutIt.length <= 6, `a few lines about the full disk, not one per file:\n${aboutIt.join('\n')}`);
  const [, unwritten] = /(\d[\d,]*) records read are not written anywhere yet: re-run the same command when the disk has room/.exec(first.stdout) ?? [];
  assert.ok(unwritten !== undefined, first.stdout);
  assert.ok(Number(unwritten.replace(/,/g, '')) > 0);
  assert.match(first.stdout, /records not written anywhere: [1-9][\d,]*; given up to errors after their retries: 0/);
  assert.doesNotMatch(first.stdout, /every tuple acked/);

  disk.resize('128m');
  const second = await runNimbus(args);
  assert.equal(second.code, 0, second.stdout + second.stderr);
  assert.match(second.stdout, /input exhausted, every tuple acked\./);
  assertComplete(output);
});

test('space freed during the run, before the deadline: the run finishes by itself with exit 0 and complete output', { timeout: 240_000 }, async (t) => {
  if (!canMount()) return t.skip('mounting a tmpfs needs root (CI runs as root)');
  const disk = mountTmpfs('4m');
  mounts.push(disk);
  const output = join(disk.dir, 'out');
  let grown = false;
  const run = await runNimbus(local(output, '-c', 'storageDeadlineMs=120000'), (text) => {
    // Grown as soon as a writer says it holds for the full disk.
    if (!grown && /holding input: .*the storage is full/.test(text)) {
      grown = true;
      disk.resize('128m');
    }
  });
  assert.ok(grown, 'the disk filled up and a writer held its input');
  assert.equal(run.code, 0, run.stdout + run.stderr);
  // Tuples the full disk failed were replayed: the headline says how many, or none failed at all.
  assert.match(run.stdout, /input exhausted, every (?:tuple acked|record written \([\d,]+ tuple trees? failed on the way and (?:was|were) replayed\))\./);
  assertComplete(output);
});

test('a read-only output directory is refused at start with exit 2 and a message naming the path', { timeout: 120_000 }, async (t) => {
  if (!canMount()) return t.skip('mounting a tmpfs needs root (CI runs as root)');
  const disk = mountTmpfs('1m', { readOnly: true });
  mounts.push(disk);
  const output = join(disk.dir, 'out');
  const r = await runNimbus(local(output));
  assert.equal(r.code, 2, r.stdout + r.stderr);
  const lastLine = r.stderr.trim().split('\n').at(-1)!;
  assert.ok(lastLine.includes(`the output directory ${output}/webrequest cannot be written: the path is read-only or not permitted`), lastLine);
  assert.match(lastLine, /^nimbus local: topology 'webrequest' failed to start \[SQUALL_ERR_INVALID_CONFIG\]: .*EROFS/);
  assert.doesNotMatch(r.stdout, /stopped after/, 'nothing ran');
});
