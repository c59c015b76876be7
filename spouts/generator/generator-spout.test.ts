import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shuffle, StorageFault, topology } from '../../core/index.js';
import { FnBolt } from '../../test/fixtures/components.js';
import { startRuntime } from '../../test/fixtures/harness.js';
import { SOURCE_ERROR_FIELDS } from '../source-record.js';
import { GeneratorSpout } from './generator-spout.js';

/** Counts each n's attempts, throws what `failWith` returns, and notes the n it let through. */
function work(attempts: Map<number, number>, failWith: (n: number, attempt: number) => Error | undefined, seen: number[] = []): FnBolt {
  return new FnBolt((tuple) => {
    const n = tuple.get<number>('n');
    const attempt = (attempts.get(n) ?? 0) + 1;
    attempts.set(n, attempt);
    const error = failWith(n, attempt);
    if (error !== undefined) throw error;
    seen.push(n);
  });
}

function run(options: ConstructorParameters<typeof GeneratorSpout>[0], failWhen: (n: number, attempt: number) => boolean) {
  const seen: number[] = [];
  const errors: unknown[][] = [];
  const attempts = new Map<number, number>();
  const definition = topology('generator-test')
    .spout('gen', { create: () => new GeneratorSpout(options), outputs: { default: ['n'], errors: SOURCE_ERROR_FIELDS } })
    .bolt('work', { create: () => work(attempts, (n, attempt) => (failWhen(n, attempt) ? new Error(`refused ${n}`) : undefined), seen), inputs: [{ from: 'gen', grouping: shuffle() }] })
    .bolt('errors', { create: () => new FnBolt((tuple) => void errors.push([...tuple.values])), inputs: [{ from: 'gen', stream: 'errors', grouping: shuffle() }] })
    .build();
  return { definition, seen, errors, attempts };
}

test('emits next(i) up to the limit, replays a failed tuple with the same values, and ends', async (t) => {
  const { definition, seen, attempts } = run({ next: (i) => [i * 10], limit: 100 }, (n, attempt) => n % 30 === 0 && attempt === 1);
  const runtime = await startRuntime(t, definition);
  await runtime.completion;
  assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i * 10));
  assert.equal(attempts.get(0), 2);
  assert.equal(attempts.get(90), 2);
  assert.equal(runtime.stats().components.gen!.acked, 100);
});

test('a source that returns undefined has ended; a tuple failing past maxRetries goes to errors with its reason', async (t) => {
  const { definition, seen, errors, attempts } = run({ next: (i) => (i < 5 ? [i] : undefined), maxRetries: 1 }, (n) => n === 3);
  const runtime = await startRuntime(t, definition);
  await runtime.completion;
  assert.deepEqual([...seen].sort(), [0, 1, 2, 4]);
  assert.equal(attempts.get(3), 2, 'one try and one retry');
  assert.deepEqual(errors, [['[3]', "error in 'work' after 2 attempts: refused 3", 'generator#3']]);
});

/** gen → work (fails as `workFails` says) and gen's errors → errors (fails its first `errorsFails` tuples). */
function givingUp(workFails: (n: number, attempt: number) => Error | undefined, errorsFails: number) {
  const attempts = new Map<number, number>();
  const written: string[] = [];
  let errorsSeen = 0;
  let spout!: GeneratorSpout;
  const definition = topology('generator-give-up')
    .spout('gen', { create: () => (spout = new GeneratorSpout({ next: (i) => [i], limit: 5, maxRetries: 1 })), outputs: { default: ['n'], errors: SOURCE_ERROR_FIELDS } })
    .bolt('work', { create: () => work(attempts, workFails), inputs: [{ from: 'gen', grouping: shuffle() }] })
    .bolt('errors', {
      create: () =>
        new FnBolt((tuple) => {
          if (++errorsSeen <= errorsFails) throw new Error('the errors output could not write');
          written.push(tuple.get<string>('origin'));
        }),
      inputs: [{ from: 'gen', stream: 'errors', grouping: shuffle() }],
    })
    .build();
  return { definition, attempts, written, spout: () => spout };
}

test('a record given up is acked only once the errors output has it, and sent there again when it fails it', async (t) => {
  const { definition, written, spout } = givingUp(() => new Error('refused'), 3);
  const runtime = await startRuntime(t, definition);
  await runtime.completion;
  assert.deepEqual([...written].sort(), ['generator#0', 'generator#1', 'generator#2', 'generator#3', 'generator#4'], 'each given-up record is written to errors');
  assert.deepEqual(spout().records(), { givenUp: 5, unwritten: 0 });
  assert.equal(runtime.stats().components.gen!.acked, 5, 'acked once written, never before');
});

test('a failure of the storage (a full disk) costs a record no attempt: it is never given up for it', async (t) => {
  const full = new StorageFault({ kind: 'no_space', op: 'write', path: '/out/x', detail: 'ENOSPC' });
  const { definition, written, attempts, spout } = givingUp((_n, attempt) => (attempt <= 4 ? full : undefined), 0);
  const runtime = await startRuntime(t, definition);
  await runtime.completion;
  assert.deepEqual(written, []);
  assert.equal(attempts.get(0), 5);
  assert.deepEqual(spout().records(), { givenUp: 0, unwritten: 0 });
});
