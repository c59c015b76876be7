import assert from 'node:assert/strict';
import { renameSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { startRuntime } from '../../test/fixtures/harness.js';
import type { SourceStateStore } from './file-source-state.js';
import { pipeline } from '../../test/fixtures/file-spout-pipeline.js';
import { tempDir } from './file-test-kit.js';

const lines = (tag: string, n: number) => Array.from({ length: n }, (_, i) => JSON.stringify({ tag, n: i + 1 }));
const text = (ls: string[]) => `${ls.join('\n')}\n`;

/** A state store in memory, as a FileCheckpointStore keeps it on disk between runs. */
function memoryStore(): SourceStateStore & { saves: number } {
  let saved: unknown;
  return {
    saves: 0,
    load: async () => saved,
    async save(state) {
      saved = JSON.parse(JSON.stringify(state));
      this.saves++;
    },
  };
}

async function run(t: Parameters<typeof startRuntime>[0], ...args: Parameters<typeof pipeline>) {
  const p = pipeline(...args);
  const runtime = await startRuntime(t, p.definition);
  await runtime.completion;
  await runtime.stop();
  return p;
}

test('a directory is read file by file in name order; a glob picks by name; names starting with . are skipped', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'b.log'), text(lines('b', 3)));
  writeFileSync(join(dir, 'a.log'), gzipSync(text(lines('a', 2))));
  writeFileSync(join(dir, 'c.txt'), text(lines('c', 1)));
  writeFileSync(join(dir, '.d.log'), text(lines('d', 1)));
  const all = await run(t, dir, () => {});
  assert.deepEqual(all.files, ['a.log', 'b.log', 'c.txt']);
  assert.deepEqual([...all.seenIn.keys()].sort(), ['a.log@1', 'a.log@2', 'b.log@1', 'b.log@2', 'b.log@3', 'c.txt@1']);
  const glob = await run(t, join(dir, '*.log'), () => {});
  assert.deepEqual(glob.files, ['a.log', 'b.log']);
});

test('with a state store, a second run emits nothing; a grown file is read on; a renamed, compressed file is the same source', async (t) => {
  const dir = tempDir(t);
  const state = memoryStore();
  writeFileSync(join(dir, 'access.log'), text(lines('x', 5)));
  const first = await run(t, { path: dir, state }, () => {});
  assert.equal(first.seenIn.size, 5);
  assert.equal((await run(t, { path: dir, state }, () => {})).seenIn.size, 0, 'nothing again');

  writeFileSync(join(dir, 'access.log'), text(lines('x', 8)));
  const grown = await run(t, { path: dir, state }, () => {});
  assert.deepEqual([...grown.seenIn.keys()], ['access.log@6', 'access.log@7', 'access.log@8']);

  writeFileSync(join(dir, 'access.log.1.gz'), gzipSync(text(lines('x', 8))));
  unlinkSync(join(dir, 'access.log'));
  assert.equal((await run(t, { path: dir, state }, () => {})).seenIn.size, 0, 'the rotated file is known by its first line');
});

test('startOffsets is asked where each file starts, past what the state says is done, and lines before its answer are skipped', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'a.log'), text(lines('a', 6)));
  const asked: unknown[] = [];
  const startOffsets = async (topic: string, partition: number, position: { committedOffset: string | undefined }) => {
    asked.push([topic.replace(/#[0-9a-f]{16}$/, ''), partition, position.committedOffset]);
    return '5';
  };
  const p = await run(t, { path: dir, startOffsets }, () => {});
  assert.deepEqual(asked, [['a.log', 0, '1']]);
  assert.deepEqual([...p.seenIn.keys()], ['a.log@5', 'a.log@6']);
});

test('a file removed before it is opened: an error record names it, and the next file is read whole', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'a.log'), text(lines('a', 3)));
  writeFileSync(join(dir, 'b.log'), text(lines('b', 3)));
  writeFileSync(join(dir, 'c.log'), text(lines('c', 3)));
  let removed = false;
  const p = await run(t, dir, () => {
    if (!removed) unlinkSync(join(dir, 'b.log'));
    removed = true;
  });
  assert.deepEqual(p.files, ['a.log', 'c.log']);
  assert.equal(p.seenIn.size, 6);
  assert.equal(p.errors.length, 1);
  assert.equal(p.errors[0]!.origin, 'b.log/0@1');
  assert.match(p.errors[0]!.reason, new RegExp(`^cannot read '${dir}/b.log' on from byte 0 \\(line 1\\): the file was removed before it was read; the rest of the file is skipped$`));
});

test('a file truncated while it is read: an error record with the byte offset where it was cut, and the next file is read', async (t) => {
  const dir = tempDir(t);
  // Over two chunks of 1 MiB: the first is read and emitted, then the file is cut under the reader.
  const big = lines('a', 30_000).map((l) => `${l.slice(0, -1)},"pad":"${'x'.repeat(50)}"}`);
  writeFileSync(join(dir, 'a.log'), text(big));
  writeFileSync(join(dir, 'b.log'), text(lines('b', 3)));
  let cut = false;
  const p = await run(t, dir, () => {
    if (!cut) truncateSync(join(dir, 'a.log'), 100);
    cut = true;
  });
  assert.equal(p.errors.length, 1, JSON.stringify(p.errors));
  const firstChunkLines = [...p.seenIn.keys()].filter((k) => k.startsWith('a.log@')).length;
  assert.ok(firstChunkLines > 1000 && firstChunkLines < 30_000, `${firstChunkLines} lines of the first chunk`);
  assert.match(p.errors[0]!.origin, new RegExp(`^a\\.log#[0-9a-f]{16}/0@${firstChunkLines + 1}$`));
  assert.match(p.errors[0]!.reason, /on from byte 1048576 \(line \d+\): the file was truncated to 100 bytes while it was read/);
  assert.deepEqual([...p.seenIn.keys()].filter((k) => k.startsWith('b.log@')), ['b.log@1', 'b.log@2', 'b.log@3']);
});

test('a file renamed while the run goes on is read to its end under the name it was opened by', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'a.log'), text(lines('a', 200)));
  let renamed = false;
  const p = await run(t, dir, () => {
    if (!renamed) renameSync(join(dir, 'a.log'), join(dir, 'a.log.1'));
    renamed = true;
  });
  assert.equal(p.seenIn.size, 200);
  assert.deepEqual(p.errors, []);
});

test('when asking where a file starts fails, it is asked again, and no line read meanwhile is lost', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'a.log'), text(lines('a', 50)));
  let calls = 0;
  const startOffsets = async () => {
    if (++calls === 1) throw new Error('the output cannot be listed yet');
    return undefined;
  };
  const p = await run(t, { path: dir, startOffsets }, () => {});
  assert.equal(calls, 2);
  assert.equal(p.seenIn.size, 50);
  assert.deepEqual([...p.seen.values()].filter((n) => n !== 1), [], 'each line once');
});

test('files that start with blank lines are told apart by their first line that is not blank', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'a.log'), `\n  \n${text(lines('a', 3))}`);
  writeFileSync(join(dir, 'b.log'), `\n  \n${text(lines('b', 3))}`);
  writeFileSync(join(dir, 'c.log'), '\n\n');
  const p = await run(t, dir, () => {});
  assert.deepEqual([...p.seenIn.keys()].sort(), ['a.log@3', 'a.log@4', 'a.log@5', 'b.log@3', 'b.log@4', 'b.log@5']);
});
