import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shuffle, topology } from '../../core/index.js';
import { FnBolt } from '../../test/fixtures/components.js';
import { startRuntime } from '../../test/fixtures/harness.js';
import { SOURCE_ERROR_FIELDS } from '../source-record.js';
import { GeneratorSpout } from './generator-spout.js';

function run(options: ConstructorParameters<typeof GeneratorSpout>[0], failWhen: (n: number, attempt: number) => boolean) {
  const seen: number[] = [];
  const errors: unknown[][] = [];
  const attempts = new Map<number, number>();
  const definition = topology('generator-test')
    .spout('gen', { create: () => new GeneratorSpout(options), outputs: { default: ['n'], errors: SOURCE_ERROR_FIELDS } })
    .bolt('work', {
      create: () =>
        new FnBolt((tuple) => {
          const n = tuple.get<number>('n');
          const attempt = (attempts.get(n) ?? 0) + 1;
          attempts.set(n, attempt);
          if (failWhen(n, attempt)) throw new Error(`refused ${n}`);
          seen.push(n);
        }),
      inputs: [{ from: 'gen', grouping: shuffle() }],
    })
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
