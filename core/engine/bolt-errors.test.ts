/** A bolt that throws or fails: the reason reaches the spout, the error is kept and counted, and the runtime carries on. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCodes, SquallError, computeLayout, shuffle, topology } from '../index.js';
import { FnBolt, ListSpout, collectInto, newLedger } from '../../test/fixtures/components.js';
import { metricValue, startRuntime } from '../../test/fixtures/harness.js';

const rows = Array.from({ length: 10 }, (_, i) => [i]);

test('a throwing execute fails its tuple with the error, and later tuples are processed', { timeout: 2000 }, async (t) => {
  const ledger = newLedger();
  const got: { task: number; values: unknown[]; source: string }[] = [];
  const def = topology('bolt-throws')
    .spout('src', { create: () => new ListSpout(rows, ledger, { maxReplays: 0 }), outputs: { default: ['i'] } })
    .bolt('boom', {
      create: () =>
        new FnBolt(async (tuple, c) => {
          const i = tuple.get<number>('i');
          if (i === 3) throw new SquallError('E_BAD_ROW', 'row 3 is bad');
          if (i === 6) throw new Error('row 6 rejected'); // a rejected promise: execute is async
          c.emit([i]);
        }),
      inputs: [{ from: 'src', grouping: shuffle() }],
      outputs: { default: ['i'] },
    })
    .bolt('sink', { create: collectInto(got), inputs: [{ from: 'boom', grouping: shuffle() }] })
    .build();
  const boomTask = computeLayout(def).tasksOf.get('boom')![0]!;
  const runtime = await startRuntime(t, def);
  await runtime.completion;

  assert.deepEqual(ledger.failed, [
    { msgId: 3, reason: { kind: 'error', component: 'boom', task: boomTask, message: 'row 3 is bad', code: 'E_BAD_ROW' } },
    { msgId: 6, reason: { kind: 'error', component: 'boom', task: boomTask, message: 'row 6 rejected' } },
  ]);
  assert.deepEqual(ledger.acked, [0, 1, 2, 4, 5, 7, 8, 9]);
  assert.deepEqual(got.map((g) => g.values[0]), [0, 1, 2, 4, 5, 7, 8, 9]);
  assert.equal(runtime.state, 'running');

  const errors = runtime.lastErrors().get('boom')!;
  assert.deepEqual(errors.map((e) => [e.component, e.task, e.message, e.code]), [
    ['boom', boomTask, 'row 3 is bad', 'E_BAD_ROW'],
    ['boom', boomTask, 'row 6 rejected', undefined],
  ]);
  assert.equal(metricValue(runtime.metrics, 'squall_errors_total', { component: 'boom' }), 2);
  assert.equal(metricValue(runtime.metrics, 'squall_failed_total', { component: 'boom' }), 2);
  assert.equal(metricValue(runtime.metrics, 'squall_spout_failed_total', { component: 'src' }), 1 + 1);
  const report = await runtime.stop();
  assert.deepEqual([report.forced, report.inFlight], [false, 0]);
});

test('collector.fail gives the spout an explicit reason naming the component', { timeout: 2000 }, async (t) => {
  const ledger = newLedger();
  const def = topology('bolt-fails')
    .spout('src', { create: () => new ListSpout(rows.slice(0, 4), ledger, { maxReplays: 0 }), outputs: { default: ['i'] } })
    .bolt('judge', {
      create: () =>
        new FnBolt(
          (tuple, c) => {
            const i = tuple.get<number>('i');
            if (i === 0) c.fail(tuple, 'why');
            else if (i === 1) c.fail(tuple);
            else if (i === 2) c.fail(tuple, Object.assign(new Error('bad input'), { code: 'E_INPUT' }));
            else c.ack(tuple);
          },
          { ackMode: 'manual' },
        ),
      inputs: [{ from: 'src', grouping: shuffle() }],
    })
    .build();
  const judgeTask = computeLayout(def).tasksOf.get('judge')![0]!;
  const runtime = await startRuntime(t, def);
  await runtime.completion;
  assert.deepEqual(ledger.failed, [
    { msgId: 0, reason: { kind: 'explicit', component: 'judge', task: judgeTask, message: 'why' } },
    { msgId: 1, reason: { kind: 'explicit', component: 'judge', task: judgeTask, message: "failed by 'judge'" } },
    { msgId: 2, reason: { kind: 'error', component: 'judge', task: judgeTask, message: 'bad input', code: 'E_INPUT' } },
  ]);
  assert.deepEqual(ledger.acked, [3]);
  // Failing is not an error of the component: nothing is recorded or counted as one.
  assert.equal(runtime.lastErrors().get('judge'), undefined);
  assert.equal(metricValue(runtime.metrics, 'squall_errors_total', { component: 'judge' }), 0, 'no error was counted');
  assert.equal(metricValue(runtime.metrics, 'squall_failed_total', { component: 'judge' }), 3);
});

test('in auto mode, an explicit fail wins over the ack that follows execute', { timeout: 2000 }, async (t) => {
  const ledger = newLedger();
  const def = topology('auto-fail')
    .spout('src', { create: () => new ListSpout([[0], [1]], ledger, { maxReplays: 0 }), outputs: { default: ['i'] } })
    .bolt('judge', {
      create: () => new FnBolt((tuple, c) => (tuple.get('i') === 0 ? c.fail(tuple, 'no') : undefined)),
      inputs: [{ from: 'src', grouping: shuffle() }],
    })
    .build();
  const runtime = await startRuntime(t, def);
  await runtime.completion;
  assert.deepEqual(ledger.failed.map((f) => [f.msgId, f.reason.kind, f.reason.message]), [[0, 'explicit', 'no']]);
  assert.deepEqual(ledger.acked, [1]);
});

test('an emit on an undeclared stream throws INVALID_EMIT naming the streams, and fails the tuple', { timeout: 2000 }, async (t) => {
  const ledger = newLedger();
  const def = topology('bad-emit')
    .spout('src', { create: () => new ListSpout([[0], [1]], ledger, { maxReplays: 0 }), outputs: { default: ['i'] } })
    .bolt('mid', {
      create: () => new FnBolt((tuple, c) => (tuple.get('i') === 0 ? c.emitTo('nope', [0]) : c.emit([1, 2]))),
      inputs: [{ from: 'src', grouping: shuffle() }],
      outputs: { default: ['i'] },
    })
    .bolt('sink', { create: collectInto([]), inputs: [{ from: 'mid', grouping: shuffle() }] })
    .build();
  const runtime = await startRuntime(t, def);
  await runtime.completion;
  const reasons = ledger.failed.map((f) => f.reason);
  assert.deepEqual(reasons.map((r) => r.code), [ErrorCodes.INVALID_EMIT, ErrorCodes.INVALID_EMIT]);
  assert.equal(reasons[0]!.message, "'mid' emitted on undeclared stream 'nope': declare it in outputs (declared: default)");
  assert.equal(reasons[1]!.message, "'mid' emitted 2 values on stream 'default', which declares 1 fields (i)");
});
