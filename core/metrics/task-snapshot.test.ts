import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FnBolt, ListSpout, newLedger } from '../../test/fixtures/components.js';
import { TopologyRuntime } from '../engine/runtime.js';
import { all, shuffle } from '../topology/grouping.js';
import { topology } from '../topology/builder.js';
import { TIMED_EVERY } from '../engine/host.js';
import { DEFAULT_LATENCY_BUCKETS, type MetricRegistry, capacityOf } from './registry.js';
import { latencyQuantileMs, taskSnapshot } from './task-snapshot.js';

const ROWS = 400;

function value(metrics: MetricRegistry, name: string, labels: Record<string, string>): number {
  let n = 0;
  for (const f of metrics.families()) {
    if (f.name !== name) continue;
    for (const s of f.series.values()) if (Object.entries(labels).every(([k, v]) => s.labels[k] === v)) n += (s.metric as { value: number }).value;
  }
  return n;
}

describe('exact metrics', () => {
  it('counts emitted, transferred, executed, acked, failures by reason and error-stream records, exactly; times executes and trees', async () => {
    const ledger = newLedger();
    const t = topology('exact', { messageTimeoutMs: 60_000 })
      .spout('src', { create: () => new ListSpout(Array.from({ length: ROWS }, (_, i) => [i]), ledger, { maxReplays: 0 }), outputs: { default: ['i'] } })
      .bolt('judge', {
        create: () =>
          new FnBolt((tuple, c) => {
            const i = tuple.get('i') as number;
            if (i % 20 === 0) throw new Error(`no ${i}`);
            if (i % 50 === 1) return c.fail(tuple, 'explicit no');
            if (i % 10 === 3) c.emitTo('errors', [i]);
            c.emit([i]);
          }),
        inputs: [{ from: 'src', grouping: shuffle() }],
        outputs: { default: ['i'], errors: ['i'] },
      })
      .bolt('copies', { create: () => new FnBolt(() => {}), parallelism: 2, inputs: [{ from: 'judge', grouping: all() }] })
      .build();
    const runtime = new TopologyRuntime({ topology: t });
    await runtime.start();
    await runtime.completion;
    await runtime.stop();
    const m = runtime.metrics;
    const errors = ROWS / 20;
    const explicit = ROWS / 50;
    const passed = ROWS - errors - explicit;
    assert.equal(value(m, 'squall_spout_acked_total', { component: 'src' }), passed);
    assert.equal(value(m, 'squall_spout_failed_total', { component: 'src', reason: 'error' }), errors);
    assert.equal(value(m, 'squall_spout_failed_total', { component: 'src', reason: 'explicit' }), explicit);
    assert.equal(value(m, 'squall_spout_failed_total', { component: 'src', reason: 'timeout' }), 0);
    assert.equal(value(m, 'squall_failed_total', { component: 'judge', reason: 'error' }), errors);
    assert.equal(value(m, 'squall_failed_total', { component: 'judge', reason: 'explicit' }), explicit);
    assert.equal(value(m, 'squall_executed_total', { component: 'judge' }), ROWS);
    assert.equal(value(m, 'squall_emitted_total', { component: 'judge', stream: 'default' }), passed);
    // all() to two tasks: every emit transfers two copies.
    assert.equal(value(m, 'squall_transferred_total', { component: 'judge', stream: 'default' }), 2 * passed);
    assert.equal(value(m, 'squall_executed_total', { component: 'copies' }), 2 * passed);

    const tasks = taskSnapshot(m, 'exact');
    assert.deepEqual(tasks.map((x) => [x.component, x.kind]), [['copies', 'bolt'], ['copies', 'bolt'], ['judge', 'bolt'], ['src', 'spout']]);
    const judge = tasks.find((x) => x.component === 'judge')!;
    const errorRecords = Array.from({ length: ROWS }, (_, i) => i).filter((i) => i % 20 !== 0 && i % 50 !== 1 && i % 10 === 3).length;
    assert.equal(judge.errorRecords, errorRecords);
    assert.deepEqual(judge.failed, { error: errors, explicit });
    assert.ok(judge.latency.execute!.count >= Math.floor(ROWS / TIMED_EVERY), `timed executes: ${judge.latency.execute!.count}`);
    const src = tasks.find((x) => x.component === 'src')!;
    assert.equal(src.acked, passed);
    assert.ok(src.latency.complete!.count >= Math.floor(passed / TIMED_EVERY) && src.latency.complete!.count <= passed);
    assert.ok(src.latency.complete!.count > 0 && latencyQuantileMs(src.latency.complete, 0.99, DEFAULT_LATENCY_BUCKETS) > 0);
  });

  it('capacity is the share of the window spent executing', () => {
    let now = 0;
    let busy = 0;
    const read = capacityOf(() => busy, 10_000, () => now);
    now = 4_000;
    busy = 1;
    assert.equal(read(), 0.25);
    now = 10_000;
    busy = 2;
    assert.equal(read(), 0.2);
    // A new window starts from the last reading: 10 s more, 5 s of them busy.
    now = 20_000;
    busy = 7;
    assert.equal(read(), 0.5);
  });
});
