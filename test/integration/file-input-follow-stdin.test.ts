/**
 * Issue #22: `--follow` reads a file that appears in the input directory while the run goes on
 * (and lines appended to the newest file); `cat file | nimbus local topologies/webrequest.ts
 * -c input=-` refines every line of stdin. Synchronized on the status line's emitted count and
 * on the process's exit, never on sleeps.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { WebrequestRun, assertEveryLineOnce, generatedLines, ndjsonText, readWritten } from '../support/file-input.js';
import { repoTempDir, waitFor } from '../support/index.js';

const work = repoTempDir('file-input-follow-stdin');
after(() => rmSync(work, { recursive: true, force: true }));

/** The emitted count of the last status line printed. */
function emitted(run: WebrequestRun): number {
  const all = [...run.output.matchAll(/emitted ([\d,]+) \(/g)];
  return all.length === 0 ? 0 : Number(all[all.length - 1]![1]!.replace(/,/g, ''));
}

async function untilEmitted(run: WebrequestRun, count: number): Promise<void> {
  await Promise.race([
    waitFor(() => emitted(run) === count, { timeoutMs: 30_000, message: `${count} lines emitted` }),
    run.exited.then((r) => assert.fail(`the run ended while waiting for ${count} lines emitted:\n${r.output}`)),
  ]);
}

test('--follow: a file added while the run goes on is read, and so are lines appended to it; Ctrl-C ends the run', { timeout: 90_000 }, async (t) => {
  const input = join(work, 'logs');
  const output = join(work, 'out-follow');
  mkdirSync(input);
  const lines = generatedLines(1200, 2203);
  const first = { lines: lines.slice(0, 500) };
  const second = { lines: lines.slice(500) };
  writeFileSync(join(input, 'webrequest-01.log'), ndjsonText(first.lines));

  const run = new WebrequestRun(input, output, ['--follow']);
  t.after(() => run.child.kill('SIGKILL'));
  await untilEmitted(run, 500);
  // Written under a hidden name, then renamed: the file appears whole, as a shipper's would.
  writeFileSync(join(input, '.webrequest-02.log.tmp'), ndjsonText(second.lines.slice(0, 500)));
  renameSync(join(input, '.webrequest-02.log.tmp'), join(input, 'webrequest-02.log'));
  await untilEmitted(run, 1000);
  appendFileSync(join(input, 'webrequest-02.log'), ndjsonText(second.lines.slice(500)));
  await untilEmitted(run, 1200);
  run.child.kill('SIGINT');
  const r = await run.exited;
  assert.equal(r.code, 0, r.output);
  assert.match(r.output, /stopped after [\d.]+ s: interrupted/);
  assertEveryLineOnce([first, second], readWritten(output));
});

test('stdin: every line piped in is refined or in errors exactly once', { timeout: 60_000 }, async () => {
  const output = join(work, 'out-stdin');
  const lines = generatedLines(1000, 2204);
  const r = await WebrequestRun.run('-', output, [], Buffer.from(ndjsonText(lines)));
  assert.equal(r.code, 0, r.output);
  assert.match(r.output, /input exhausted, every tuple acked/);
  const written = readWritten(output);
  assertEveryLineOnce([{ lines, stdin: true }], written);
  assert.ok(written.refined.length > 900, `${written.refined.length} refined`);
});
