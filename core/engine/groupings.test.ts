/** Every grouping end to end, through a running topology in local mode. */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import {
  ErrorCodes,
  type Grouping,
  type Spout,
  type SpoutOutputCollector,
  type TopologyContext,
  all,
  computeLayout,
  custom,
  direct,
  fields,
  global,
  localOrShuffle,
  shuffle,
  topology,
} from '../index.js';
import { FnBolt, ListSpout, collectInto, newLedger } from '../../test/fixtures/components.js';
import { startRuntime } from '../../test/fixtures/harness.js';

type Delivery = { task: number; values: unknown[]; source: string };

/** Runs rows [word, i] through `grouping` into a 3-task sink; returns what each task got. */
async function route(t: TestContext, grouping: Grouping<'word' | 'i'>, rows: unknown[][], sinkTasks = 3) {
  const got: Delivery[] = [];
  const ledger = newLedger();
  const def = topology('groupings', { queueCapacity: 1024, batchSize: 64 })
    .spout('src', { create: () => new ListSpout(rows, ledger), outputs: { default: ['word', 'i'] } })
    .bolt('sink', { create: collectInto(got), parallelism: 1, tasks: sinkTasks, inputs: [{ from: 'src', grouping }] })
    .build();
  const runtime = await startRuntime(t, def);
  await runtime.completion;
  await runtime.stop();
  const byTask = new Map<number, unknown[][]>(computeLayout(def).tasksOf.get('sink')!.map((task) => [task, []]));
  for (const d of got) byTask.get(d.task)!.push(d.values);
  return { byTask, ledger, got };
}

const words = Array.from({ length: 60 }, (_, i) => [`w${i % 30}`, i]);

describe('groupings through a running topology', () => {
  test('shuffle and localOrShuffle (all tasks local) spread evenly over every task', async (t) => {
    const rows = Array.from({ length: 300 }, (_, i) => ['x', i]);
    for (const g of [shuffle(), localOrShuffle()]) {
      const { byTask, ledger } = await route(t, g, rows);
      assert.deepEqual([...byTask.values()].map((v) => v.length), [100, 100, 100], g.type);
      assert.equal(ledger.acked.length, 300);
    }
  });

  test('fields: a word always lands on the same task, the same one in two runtimes', async (t) => {
    const placement = async () => {
      const { got } = await route(t, fields('word'), words, 4);
      const taskOf = new Map<unknown, Set<number>>();
      for (const d of got) taskOf.set(d.values[0], (taskOf.get(d.values[0]) ?? new Set()).add(d.task));
      for (const [word, tasks] of taskOf) assert.equal(tasks.size, 1, `${String(word)} went to ${[...tasks].join(', ')}`);
      return new Map([...taskOf].map(([w, s]) => [w, [...s][0]]));
    };
    const first = await placement();
    const second = await placement();
    assert.equal(first.size, 30);
    assert.deepEqual(second, first);
    assert.ok(new Set(first.values()).size >= 3, 'words spread over the tasks');
  });

  test('all: every task gets every tuple, and each root is acked once after every copy', async (t) => {
    const { byTask, ledger } = await route(t, all(), words);
    for (const [task, got] of byTask) assert.deepEqual(got, words, `task ${task}`);
    assert.deepEqual([...ledger.acked].sort((a, b) => (a as number) - (b as number)), words.map((_, i) => i));
  });

  test('global: the whole stream goes to the lowest task id', async (t) => {
    const { byTask } = await route(t, global(), words);
    const [lowest, ...others] = [...byTask.keys()].sort((a, b) => a - b);
    assert.deepEqual(byTask.get(lowest!), words);
    for (const task of others) assert.deepEqual(byTask.get(task), []);
  });

  test('custom: tuples go to the task index (or indices) chosen', async (t) => {
    const g = custom('parity', (values, targets) => ((values[1] as number) % 10 === 0 ? targets.map((_, i) => i) : ((values[1] as number) % 2) + 1));
    const { byTask } = await route(t, g, words);
    const [t0, t1, t2] = [...byTask.values()];
    const multiples = words.filter((w) => (w[1] as number) % 10 === 0);
    assert.deepEqual(t0, multiples);
    assert.deepEqual(t1, words.filter((w) => (w[1] as number) % 10 === 0 || (w[1] as number) % 2 === 0));
    assert.deepEqual(t2, words.filter((w) => (w[1] as number) % 10 === 0 || (w[1] as number) % 2 === 1));
  });

  test('custom: an out-of-range index fails the tuple with INVALID_EMIT and is reported', async (t) => {
    const ledger = newLedger();
    const got: Delivery[] = [];
    const rows = [[0], [1], [2], [3]];
    const def = topology('custom-broken')
      .spout('src', { create: () => new ListSpout(rows, ledger, { maxReplays: 0 }), outputs: { default: ['i'] } })
      .bolt('mid', { create: () => new FnBolt((tuple, c) => c.emit([tuple.get('i')])), inputs: [{ from: 'src', grouping: shuffle() }], outputs: { default: ['i'] } })
      .bolt('sink', { create: collectInto(got), tasks: 2, inputs: [{ from: 'mid', grouping: custom('bad', (v) => (v[0] === 2 ? 5 : 0)) }] })
      .build();
    const runtime = await startRuntime(t, def);
    await runtime.completion;
    assert.deepEqual(got.map((d) => d.values[0]), [0, 1, 3]);
    assert.deepEqual(ledger.acked, [0, 1, 3]);
    assert.equal(ledger.failed.length, 1);
    const { msgId, reason } = ledger.failed[0]!;
    assert.equal(msgId, 2);
    assert.deepEqual([reason.kind, reason.component, reason.code], ['error', 'mid', ErrorCodes.INVALID_EMIT]);
    assert.match(reason.message, /custom grouping 'mid' -> 'sink' chose index 5, but there are 2 target tasks/);
    assert.equal(runtime.lastErrors().get('mid')?.[0]?.code, ErrorCodes.INVALID_EMIT);
  });
});

describe('direct grouping', () => {
  /** src → router; router emits directly to a 3-task sink on 'routed', or misbehaves as `misuse` says. */
  function directTopology(got: Delivery[], ledger = newLedger(), misuse?: (c: FnBolt, tuple: unknown[]) => void) {
    let sinkTasks: readonly number[] = [];
    const def = topology('direct')
      .spout('src', { create: () => new ListSpout(Array.from({ length: 9 }, (_, i) => [i]), ledger, { maxReplays: 0 }), outputs: { default: ['i'] } })
      .bolt('router', {
        create: () =>
          new FnBolt((tuple, c, bolt) => {
            const i = tuple.get<number>('i');
            if (misuse) misuse(bolt, [i]);
            else c.emitDirect(sinkTasks[i % 3]!, 'routed', [i]);
          }),
        inputs: [{ from: 'src', grouping: shuffle() }],
        outputs: { routed: { fields: ['i'], direct: true }, plain: ['i'] },
      })
      .bolt('sink', { create: collectInto(got), tasks: 3, inputs: [{ from: 'router', stream: 'routed', grouping: direct() }] })
      .bolt('other', { create: collectInto([]), inputs: [{ from: 'router', stream: 'plain', grouping: shuffle() }] })
      .build();
    const layout = computeLayout(def);
    sinkTasks = layout.tasksOf.get('sink')!;
    return { def, sinkTasks, ledger, srcTask: layout.tasksOf.get('src')![0]! };
  }

  test('emitDirect delivers each tuple to the task it names, and only there', async (t) => {
    const got: Delivery[] = [];
    const { def, sinkTasks, ledger } = directTopology(got);
    const runtime = await startRuntime(t, def);
    await runtime.completion;
    assert.equal(got.length, 9);
    for (const d of got) assert.equal(d.task, sinkTasks[(d.values[0] as number) % 3], `value ${String(d.values[0])}`);
    assert.equal(ledger.acked.length, 9);
  });

  test('emitDirect to a task that does not subscribe throws INVALID_EMIT naming the component', async (t) => {
    const errors: { code?: string; message: string }[] = [];
    const { def, srcTask, ledger } = directTopology([], newLedger(), (bolt, values) => {
      try {
        bolt.collector.emitDirect(srcTask, 'routed', values);
      } catch (error) {
        errors.push(error as { code?: string; message: string });
      }
      if (values[0] === 0) bolt.collector.emitDirect(srcTask, 'routed', values); // uncaught: fails the tuple
    });
    const runtime = await startRuntime(t, def);
    await runtime.completion;
    assert.equal(errors.length, 9);
    for (const e of errors) {
      assert.equal(e.code, ErrorCodes.INVALID_EMIT);
      assert.match(e.message, new RegExp(`^'router' emitted directly to task ${srcTask}, which does not subscribe to 'routed'`));
    }
    assert.deepEqual(ledger.failed.map((f) => [f.msgId, f.reason.kind, f.reason.component, f.reason.code]), [[0, 'error', 'router', ErrorCodes.INVALID_EMIT]]);
  });

  test('emitDirect on a stream that is not direct throws NOT_DIRECT_STREAM', async (t) => {
    const errors: { code?: string; message: string }[] = [];
    const { def, sinkTasks } = directTopology([], newLedger(), (bolt, values) => {
      try {
        bolt.collector.emitDirect(sinkTasks[0]!, 'plain', values);
      } catch (error) {
        errors.push(error as { code?: string; message: string });
      }
    });
    const runtime = await startRuntime(t, def);
    await runtime.completion;
    assert.equal(errors.length, 9);
    assert.equal(errors[0]!.code, ErrorCodes.NOT_DIRECT_STREAM);
    assert.match(errors[0]!.message, /^'router' used emitDirect on stream 'plain', which is not direct/);
  });

  test('a spout emit that throws is not left in flight (no pending root, no later timeout)', async (t) => {
    class MisdirectingSpout implements Spout {
      #c!: SpoutOutputCollector;
      #context!: TopologyContext;
      #sent = 0;
      readonly errors: string[] = [];
      readonly acked: unknown[] = [];
      readonly failed: unknown[] = [];
      open(context: TopologyContext, c: SpoutOutputCollector): void {
        this.#context = context;
        this.#c = c;
      }
      nextTuple(): void {
        if (this.#sent >= 3) return;
        const i = this.#sent++;
        try {
          // Its own task does not subscribe: the emit is refused.
          this.#c.emitDirect(this.#context.taskId, 'out', [i], `bad-${i}`);
        } catch (error) {
          this.errors.push((error as { code: string }).code);
        }
        this.#c.emitDirect(sinkTask, 'out', [i], `good-${i}`);
      }
      ack(id: unknown): void {
        this.acked.push(id);
      }
      fail(id: unknown): void {
        this.failed.push(id);
      }
      exhausted(): boolean {
        return this.#sent >= 3;
      }
    }
    const spout = new MisdirectingSpout();
    let sinkTask = 0;
    const def = topology('direct-spout', { maxSpoutPending: 4 })
      .spout('src', { create: () => spout, outputs: { out: { fields: ['i'], direct: true } } })
      .bolt('sink', { create: collectInto([]), inputs: [{ from: 'src', stream: 'out', grouping: direct() }] })
      .build();
    sinkTask = computeLayout(def).tasksOf.get('sink')![0]!;
    const runtime = await startRuntime(t, def);
    await runtime.completion; // would wait for the 30 s message timeout if the refused roots were tracked
    assert.deepEqual(spout.errors, [ErrorCodes.INVALID_EMIT, ErrorCodes.INVALID_EMIT, ErrorCodes.INVALID_EMIT]);
    assert.deepEqual(spout.acked, ['good-0', 'good-1', 'good-2']);
    assert.deepEqual(spout.failed, []);
    assert.equal(runtime.stats().components.src!.pending, 0);
  });
});
