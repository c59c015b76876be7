/** Tick tuples: delivered to every task of a bolt that asks for them, never acked, never counted as failures. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SYSTEM_COMPONENT, TICK_STREAM, computeLayout, shuffle, topology } from '../index.js';
import { FnBolt, ListSpout, newLedger } from '../../test/fixtures/components.js';
import { deferred, metricValue, startRuntime } from '../../test/fixtures/harness.js';

test('a bolt with tickIntervalMs gets tick tuples on each task; a throw on a tick fails nothing', { timeout: 2000 }, async (t) => {
  const ledger = newLedger();
  const ticks = new Map<number, { source: string; stream: string; values: readonly unknown[] }[]>();
  const plainSawTick: boolean[] = [];
  const enoughTicks = deferred();
  const def = topology('ticks')
    .spout('src', { create: () => new ListSpout([[0], [1], [2]], ledger), outputs: { default: ['i'] } })
    .bolt('ticker', {
      create: () =>
        new FnBolt((tuple, _c, bolt) => {
          if (!tuple.isTick()) return;
          const mine = ticks.get(bolt.context.taskId) ?? [];
          mine.push({ source: tuple.sourceComponent, stream: tuple.sourceStream, values: tuple.values });
          ticks.set(bolt.context.taskId, mine);
          if (ticks.size === 2 && [...ticks.values()].every((x) => x.length >= 3)) enoughTicks.resolve();
          if (mine.length === 2) throw new Error('tick boom');
        }),
      tasks: 2,
      tickIntervalMs: 10,
      inputs: [{ from: 'src', grouping: shuffle() }],
    })
    .bolt('plain', { create: () => new FnBolt((tuple) => void plainSawTick.push(tuple.isTick())), inputs: [{ from: 'src', grouping: shuffle() }] })
    .build();
  const runtime = await startRuntime(t, def);
  await Promise.all([enoughTicks.promise, runtime.completion]);

  assert.deepEqual([...ticks.keys()].sort(), computeLayout(def).tasksOf.get('ticker'));
  for (const got of ticks.values()) for (const tick of got) assert.deepEqual(tick, { source: SYSTEM_COMPONENT, stream: TICK_STREAM, values: [] });
  assert.deepEqual(plainSawTick, [false, false, false], 'a bolt that did not ask gets no ticks');

  const ticker = runtime.stats().components.ticker!;
  assert.equal(ticker.acked, 3, 'only the three data tuples are acked');
  assert.equal(ticker.failed, 0, 'a throwing tick is not a failed tuple');
  assert.equal(metricValue(runtime.metrics, 'squall_failed_total', { component: 'ticker' }), 0);
  assert.deepEqual(ledger.acked, [0, 1, 2]);
  assert.deepEqual(ledger.failed, []);
  // The throw is still an error of the component: kept and counted.
  assert.deepEqual(runtime.lastErrors().get('ticker')?.map((e) => e.message), ['tick boom', 'tick boom']);
  assert.equal(metricValue(runtime.metrics, 'squall_errors_total', { component: 'ticker' }), 2);
});
