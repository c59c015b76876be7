import assert from 'node:assert/strict';
import { test } from 'node:test';
import { threadId } from 'node:worker_threads';
import { fields, shuffle, ThreadedBolt, topology } from '../index.js';
import { FnBolt, ListSpout, newLedger } from '../../test/fixtures/components.js';
import { startRuntime } from '../../test/fixtures/harness.js';

const MODULE = new URL('./fixtures/word-thread.ts', import.meta.url);
const WORDS = Array.from({ length: 600 }, (_, i) => (i % 100 === 7 ? 'fail-me' : i % 100 === 9 ? 'throw-me' : `${i % 3 === 0 ? 'x' : 'w'}${i}`));

/** Runs words → upper (a ThreadedBolt) → collectors; returns what each stream got and the spout's ledger. */
async function run(t: Parameters<typeof startRuntime>[0], options: { threads: number; stateful?: boolean; tasks?: number }) {
  const got: { default: unknown[][]; x: unknown[][] } = { default: [], x: [] };
  const ledger = newLedger();
  const definition = topology('threaded-bolt-test', { maxSpoutPending: 100 })
    .spout('words', { create: () => new ListSpout(WORDS.map((w) => [w]), ledger, { maxReplays: 0 }), outputs: { default: ['word'] } })
    .bolt('upper', {
      threads: options.threads,
      parallelism: options.tasks ?? 1,
      create: () => new ThreadedBolt({ module: MODULE, batchSize: 16, stateful: options.stateful ?? false }),
      inputs: [{ from: 'words', grouping: options.tasks === undefined ? shuffle() : fields('word') }],
      outputs: { default: ['upper', 'thread', 'task', 'count'], 'x-words': ['word'] },
    })
    .bolt('all', { create: () => new FnBolt((tuple) => void got.default.push([...tuple.values])), inputs: [{ from: 'upper', grouping: shuffle() }] })
    .bolt('x', { create: () => new FnBolt((tuple) => void got.x.push([...tuple.values])), inputs: [{ from: 'upper', stream: 'x-words', grouping: shuffle() }] })
    .build();
  const runtime = await startRuntime(t, definition);
  await runtime.completion;
  await runtime.stop();
  return { got, ledger };
}

const good = WORDS.filter((w) => !w.endsWith('-me'));

for (const threads of [0, 2]) {
  test(`a ThreadedBolt (threads: ${threads}) emits each tuple's results anchored to it, on every stream, and fails the ones its handler failed, with the reason`, async (t) => {
    const { got, ledger } = await run(t, { threads });
    assert.deepEqual(got.default.map((r) => r[0]).sort(), good.map((w) => w.toUpperCase()).sort(), 'every good word, once');
    assert.deepEqual(got.x.map((r) => r[0]).sort(), good.filter((w) => w.startsWith('x')).sort(), 'the second stream');
    const threadIds = new Set(got.default.map((r) => r[1]));
    if (threads === 0) assert.deepEqual([...threadIds], [threadId], 'on the main thread');
    else assert.ok(!threadIds.has(threadId), 'never on the main thread');
    assert.equal(ledger.acked.length, good.length, 'each good word acked');
    const reasons = ledger.failed.map((f) => f.reason.message).sort();
    assert.deepEqual(reasons, [...Array(6).fill("'fail-me' asked to fail"), ...Array(6).fill("'throw-me' threw")].sort());
  });
}

test('stateful: each task runs on one thread, in order, so its state counts its tuples 1, 2, 3, … whatever the batches', async (t) => {
  const { got } = await run(t, { threads: 2, stateful: true, tasks: 3 });
  const byTask = new Map<number, { threads: Set<unknown>; counts: number[] }>();
  for (const [, thread, task, count] of got.default) {
    const entry = byTask.get(task as number) ?? { threads: new Set(), counts: [] };
    entry.threads.add(thread);
    entry.counts.push(count as number);
    byTask.set(task as number, entry);
  }
  assert.equal(byTask.size, 3);
  for (const [task, { threads, counts }] of byTask) {
    assert.equal(threads.size, 1, `task ${task} stayed on one thread`);
    assert.deepEqual(counts, counts.map((_, i) => i + 1), `task ${task} counted in order, with no gap or repeat`);
  }
});
