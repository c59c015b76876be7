import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { seededRandom, startRuntime } from '../../test/fixtures/harness.js';
import { pipeline } from '../../test/fixtures/file-spout-pipeline.js';

function tempFile(t: { after(fn: () => void): void }, lines: string[], trailingNewline = true): string {
  const dir = mkdtempSync(join(tmpdir(), 'squall-file-spout-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'input.ndjson');
  writeFileSync(path, lines.join('\n') + (trailingNewline ? '\n' : ''));
  return path;
}

test('every line of a file reaches the sink at least once and is acked once, though the middle bolt fails 10% at random', async (t) => {
  const lines = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ n: i }));
  const path = tempFile(t, lines);
  const random = seededRandom(2026);
  let failures = 0;
  const { definition, seen, errors } = pipeline(
    path,
    () => {
      if (random() < 0.1) {
        failures++;
        throw new Error('random failure');
      }
    },
    Infinity,
  );
  const runtime = await startRuntime(t, definition);
  await runtime.completion;
  const stats = runtime.stats().components;
  assert.ok(failures > 300, `expected about 500 failures, saw ${failures}`);
  assert.equal(seen.size, 5000, 'every line reached the sink');
  for (let line = 1; line <= 5000; line++) assert.ok(seen.get(line)! >= 1, `line ${line} missing`);
  assert.equal(stats.file!.acked, 5000, 'the acked count equals the input count');
  assert.equal(stats.file!.failed, failures, 'each random failure failed its tree once');
  assert.equal(errors.length, 0);
});

test('a line that keeps failing goes to the errors stream with the reason after maxRetries, and the run still ends', async (t) => {
  const path = tempFile(t, ['{"ok":1}', '{"poison":true}', '{"ok":2}'], false);
  const { definition, seen, errors } = pipeline(path, (tuple) => {
    if (String(tuple.get('value')).includes('poison')) throw new Error('cannot digest this');
  }, 2);
  const runtime = await startRuntime(t, definition);
  await runtime.completion;
  assert.deepEqual([...seen.keys()].sort(), [1, 3]);
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.value, '{"poison":true}');
  assert.match(errors[0]!.origin, /^input\.ndjson#[0-9a-f]{16}\/0@2$/, 'the file as topic (its name and identity), line 2');
  assert.match(errors[0]!.reason, /^error in 'middle' after 3 attempts: cannot digest this$/);
  assert.equal(runtime.stats().components.file!.failed, 3, 'the first try and two retries failed');
});

test('blank lines are skipped and counted, line numbers stay those of the file, and a last line without newline is read', async (t) => {
  const path = tempFile(t, ['{"a":1}', '', '   ', '{"a":4}', '\t', '{"a":5}'], false);
  const { definition, seen } = pipeline(path, () => {});
  const runtime = await startRuntime(t, definition);
  await runtime.completion;
  assert.deepEqual([...seen.keys()].sort(), [1, 4, 6]);
  assert.equal(runtime.stats().components.file!.blank, 3, 'the empty and whitespace-only lines are counted, for the summary');
});

test('a missing file is a config error that names the file', async (t) => {
  const { definition } = pipeline('/nonexistent/squall/input.ndjson', () => {});
  await assert.rejects(startRuntime(t, definition), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'SQUALL_ERR_COMPONENT_LIFECYCLE');
    assert.match(error.message, /input path '\/nonexistent\/squall\/input.ndjson' does not exist/);
    assert.equal((error.cause as { code?: string }).code, 'SQUALL_ERR_INVALID_CONFIG', 'a config error, which the CLI exits 2 for');
    return true;
  });
});

test('more than one task is a config error: each would read every file', async (t) => {
  const path = tempFile(t, ['{"a":1}']);
  const { definition } = pipeline(path, () => {});
  const twoTasks = { ...definition, components: definition.components.map((c) => (c.id === 'file' ? { ...c, parallelism: 2, tasks: 2 } : c)) };
  await assert.rejects(startRuntime(t, twoTasks), (error: Error) => {
    assert.equal((error.cause as { code?: string }).code, 'SQUALL_ERR_INVALID_CONFIG');
    assert.match(error.message, /the file spout 'file' has 2 tasks: give it one/);
    return true;
  });
});
