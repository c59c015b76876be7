import assert from 'node:assert/strict';
import { test } from 'node:test';
import { threadId } from 'node:worker_threads';
import type { FixtureTask } from './fixtures/thread-task.js';
import { ThreadPool, ThreadPoolErrorCodes, type ThreadPoolOptions } from './thread-pool.js';

const MODULE = new URL('./fixtures/thread-task.ts', import.meta.url);

function pool(t: { after(fn: () => unknown): void }, options: Partial<ThreadPoolOptions> = {}): ThreadPool<FixtureTask, unknown> {
  const p = new ThreadPool<FixtureTask, unknown>({ module: MODULE, name: 'fixture', ...options });
  t.after(() => p.close());
  return p;
}

const shared = () => new Int32Array(new SharedArrayBuffer(4));

test('runs a TypeScript task module in its threads, all of them at once', async (t) => {
  const p = pool(t, { threads: 2 });
  assert.equal(await p.run({ kind: 'double', n: 21 }), 42);
  // Each task waits until both are running, so they can only finish on two threads.
  const arrived = shared();
  const ids = await Promise.all([p.run({ kind: 'rendezvous', arrived, expected: 2 }), p.run({ kind: 'rendezvous', arrived, expected: 2 })]);
  assert.equal(new Set(ids).size, 2);
  assert.ok(!ids.includes(threadId), 'not on the calling thread');
  assert.equal(p.pending, 0);
});

test('threads read the pool data', async (t) => {
  const p = pool(t, { data: { salt: 'in memory only', n: 3 } });
  assert.deepEqual(await p.run({ kind: 'data' }), { salt: 'in memory only', n: 3 });
});

test('moves buffers both ways instead of copying them', async (t) => {
  const p = pool(t);
  const bytes = new Uint8Array([1, 2, 3, 4]);
  const result = (await p.run({ kind: 'transfer', bytes, size: 1024 }, [bytes.buffer])) as { sum: number; out: Uint8Array };
  assert.equal(bytes.byteLength, 0, 'the input buffer moved to the thread');
  assert.equal(result.sum, 10);
  assert.equal(result.out.byteLength, 1024);
  assert.ok(result.out.every((b) => b === 7));
});

test('a throwing task rejects with TASK_FAILED and its cause; the pool carries on', async (t) => {
  const p = pool(t);
  await assert.rejects(p.run({ kind: 'throw', message: 'bad batch' }), (error: Error & { code?: string; retriable?: boolean; cause?: unknown }) => {
    assert.equal(error.code, ThreadPoolErrorCodes.TASK_FAILED);
    assert.equal(error.retriable, true);
    assert.match(error.message, /thread pool 'fixture'.*bad batch/);
    assert.equal((error.cause as Error).message, 'bad batch');
    return true;
  });
  assert.equal(await p.run({ kind: 'double', n: 2 }), 4);
});

test('a thread that dies fails its task; a new thread takes the next one', async (t) => {
  const p = pool(t);
  await assert.rejects(p.run({ kind: 'crash' }), { code: ThreadPoolErrorCodes.TASK_FAILED });
  assert.equal(await p.run({ kind: 'double', n: 5 }), 10);
});

// Node 20 has Atomics.waitAsync; the ES2023 lib does not declare it.
type WaitAsync = (cells: Int32Array, index: number, value: number) => { async: boolean; value: Promise<string> | string };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

/** A gate for a 'block' task: resolves once the task is running; `release()` lets it return. */
function gate() {
  const cells = new Int32Array(new SharedArrayBuffer(8));
  const { async, value } = waitAsync(cells, 0, 0);
  return {
    cells,
    running: async ? (value as Promise<string>).then(() => {}) : Promise.resolve(),
    release: () => {
      Atomics.store(cells, 1, 1);
      Atomics.notify(cells, 1);
    },
  };
}

test('close lets a running task finish, is safe to call twice, and refuses new tasks', async (t) => {
  const p = pool(t);
  const g = gate();
  const running = p.run({ kind: 'block', gate: g.cells });
  await g.running;
  const closing = p.close();
  assert.equal(p.close(), closing, 'the same promise');
  assert.equal(p.closed, true);
  await assert.rejects(p.run({ kind: 'double', n: 1 }), { code: ThreadPoolErrorCodes.CLOSED });
  g.release();
  assert.equal(await running, 'released');
  await closing;
});

test('close terminates a task that outlives closeTimeoutMs; it rejects with CLOSED', async (t) => {
  const errors: Error[] = [];
  const p = pool(t, { closeTimeoutMs: 50, onError: (e) => errors.push(e) });
  const g = gate();
  const stuck = p.run({ kind: 'block', gate: g.cells });
  await g.running;
  const rejected = assert.rejects(stuck, { code: ThreadPoolErrorCodes.CLOSED });
  await p.close();
  await rejected;
  assert.equal(errors.length, 1, 'the close timeout is reported');
  assert.match(errors[0]!.message, /close/i);
});

test('options are validated with a way to fix them', () => {
  assert.throws(() => new ThreadPool({ module: MODULE, threads: 0 }), { code: 'SQUALL_ERR_INVALID_CONFIG', message: /threads is 0: use a whole number from 1/ });
  assert.throws(() => new ThreadPool({ module: './fixtures/thread-task.ts' }), { message: /is relative: pass new URL/ });
  assert.throws(() => new ThreadPool({ module: MODULE, closeTimeoutMs: -1 }), { message: /closeTimeoutMs is -1/ });
});

test('a task may name its own module; tasks with one affinity run on one thread, in order, and two affinities on two threads', async (t) => {
  const p = pool(t, { threads: 2 });
  const echo = new URL('./fixtures/echo-task.ts', import.meta.url);
  type Echo = { n: number; thread: number; seen: number[] };
  const a = await Promise.all([1, 2, 3, 4].map((n) => p.runIn<{ n: number }, Echo>(echo, { n }, { affinity: 'task-a' })));
  const b = await Promise.all([5, 6].map((n) => p.runIn<{ n: number }, Echo>(echo, { n }, { affinity: 'task-b' })));
  assert.equal(new Set(a.map((r) => r.thread)).size, 1, 'task-a stayed on one thread');
  assert.deepEqual(a.at(-1)!.seen, [1, 2, 3, 4], 'in the order submitted, and nothing else ran there');
  assert.equal(new Set(b.map((r) => r.thread)).size, 1, 'task-b stayed on one thread');
  assert.notEqual(b[0]!.thread, a[0]!.thread, 'the second affinity went to the other thread');
  assert.equal(await p.run({ kind: 'double', n: 4 }), 8, 'the pool module still runs beside it');
});

test('a pool without a module of its own runs only tasks that name one; grow adds threads', async (t) => {
  const p = new ThreadPool<unknown, unknown>({ name: 'shared' });
  t.after(() => p.close());
  await assert.rejects(p.run({}), /has no module of its own: name one with runIn/);
  p.grow(3);
  assert.equal(p.threads, 3);
  assert.equal(await p.runIn(MODULE, { kind: 'double', n: 1 }), 2);
});
