/**
 * Issue #12: the README's main command, `nimbus local topologies/webrequest.ts` (100,000 generated
 * requests), run twice into the same output. The second run reads the same records at the same
 * source offsets, and every output recognizes them: the refined files, the pageview dumps, the
 * sequence statistics and the errors are the same files with the same bytes, no pageview goes to
 * errors as late, and the summary says the output was already complete.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, test } from 'node:test';
import { repoTempDir, runNimbus } from '../support/index.js';

const work = repoTempDir('webrequest-rerun');
after(() => rmSync(work, { recursive: true, force: true }));

/** Every file under `dir` but the bolts' checkpoints (`_state/`), by path, with a digest of its bytes. */
function contents(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) visit(path);
      else out.set(relative(dir, path), createHash('sha256').update(readFileSync(path)).digest('hex'));
    }
  };
  visit(dir);
  for (const path of out.keys()) if (path.startsWith('_state/')) out.delete(path);
  return out;
}

test('the main command run twice into one output: the same files with the same bytes, no pageview late, and the summary says the output was already complete', { timeout: 300_000 }, async () => {
  const output = join(work, 'out');
  const run = () => runNimbus(['local', 'topologies/webrequest.ts', '--no-typecheck', '-q', '-c', `output=${output}`]);

  const first = await run();
  assert.equal(first.code, 0, first.stderr);
  assert.doesNotMatch(first.stdout, /already complete/);
  const before = contents(output);
  const sides = [...before.keys()].filter((p) => /^(pageviews|sequence-stats|errors)\//.test(p));
  assert.ok(sides.some((p) => p.startsWith('pageviews/pageviews-')) && sides.some((p) => p.startsWith('sequence-stats/')) && sides.some((p) => p.startsWith('errors/')), `each side output was written: ${sides.join(', ')}`);

  const second = await run();
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /stopped after [\d.]+ s: input exhausted, every tuple acked\./);
  assert.match(second.stdout, /^output already complete: every record read was already in it/m);
  const afterRerun = contents(output);
  assert.deepEqual([...afterRerun.keys()].sort(), [...before.keys()].sort(), 'the same set of files');
  for (const [path, digest] of before) assert.equal(afterRerun.get(path), digest, `${path} has the same bytes`);

  const errors = [...afterRerun.keys()].filter((p) => p.startsWith('errors/')).flatMap((p) => readFileSync(join(output, p), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { reason: string; from: string }));
  assert.deepEqual(errors.filter((e) => e.from === 'pageview-counts' || /late pageview/.test(e.reason)), [], 'no pageview in errors');
});
