/**
 * Issue #22: a run over a directory killed with SIGKILL halfway, then run again, completes the
 * refined output with no duplicate: the second run starts each file after what the first saved
 * as done and what the refined sink committed, and the sink skips any committed line it is sent
 * again. The kill is synchronized on half the lines being committed (counted from the refined
 * files' names), never on a sleep.
 *
 * The error files are exactly once too (#12): a malformed line sent there again after the kill
 * is recognized by its origin, which the committed error files already hold, and not written again.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { WebrequestRun, assertEveryLineOnce, filesUnder, generatedLines, ndjsonText, readWritten } from '../support/file-input.js';
import { repoTempDir, waitFor } from '../support/index.js';

const work = repoTempDir('file-input-crash');
after(() => rmSync(work, { recursive: true, force: true }));

test('killed with SIGKILL halfway and run again: every line refined or in errors, once', { timeout: 90_000 }, async (t) => {
  const input = join(work, 'logs');
  const output = join(work, 'out');
  mkdirSync(input);
  const lines = generatedLines(6000, 2202);
  const files = [lines.slice(0, 2000), lines.slice(2000, 4000), lines.slice(4000)].map((l) => ({ lines: l }));
  writeFileSync(join(input, 'a.log'), ndjsonText(files[0]!.lines));
  writeFileSync(join(input, 'b.log.gz'), gzipSync(ndjsonText(files[1]!.lines)));
  writeFileSync(join(input, 'c.log'), ndjsonText(files[2]!.lines));
  // Small commits (the sink holds a quarter of maxSpoutPending), so the kill finds some committed and much to do.
  const config = ['-c', 'maxSpoutPending=200'];

  const first = new WebrequestRun(input, output, config);
  t.after(() => first.child.kill('SIGKILL'));
  // Lines committed, by the offset ranges in the refined files' names.
  const committed = () =>
    filesUnder(join(output, 'webrequest'))
      .map((f) => /\/part-[^/]+-0-(\d+)-(\d+)\.ndjson$/.exec(f))
      .reduce((n, m) => (m ? n + Number(m[2]) - Number(m[1]) + 1 : n), 0);
  await Promise.race([
    waitFor(() => committed() >= 3000, { timeoutMs: 60_000, intervalMs: 20, message: 'half the lines committed' }),
    first.exited.then((r) => assert.fail(`the run ended before it was killed:\n${r.output}`)),
  ]);
  first.child.kill('SIGKILL');
  const killed = await first.exited;
  assert.equal(killed.signal, 'SIGKILL');
  const halfway = readWritten(output).refined.length;
  assert.ok(halfway >= 2900 && halfway < 5800, `killed halfway: ${halfway} of about 5,900 refined`);

  const second = await WebrequestRun.run(input, output, config);
  assert.equal(second.code, 0, second.output);
  assert.match(second.output, /input exhausted, every tuple acked/);
  assertEveryLineOnce(files, readWritten(output));
  const emitted = /^source\s+spout\s+([\d,]+)/m.exec(second.output)?.[1];
  t.diagnostic(`${halfway} refined when killed; the second run emitted ${emitted} lines`);
});
