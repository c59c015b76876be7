/** At-least-once: trees that time out or fail are replayed by the spout until every record is acked. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type FailReason, computeLayout, fields, shuffle, topology } from '../index.js';
import { FnBolt, ListSpout, newLedger } from '../../test/fixtures/components.js';
import { metricValue, seededRandom, startRuntime } from '../../test/fixtures/harness.js';

test('a tree not acked within messageTimeoutMs fails as a timeout, is replayed, and the replay is acked', { timeout: 2000 }, async (t) => {
  const events: string[] = [];
  let failedAt = 0;
  let firstAt = 0;
  class RecordingSpout extends ListSpout {
    override ack(msgId: unknown): void {
      events.push(`ack ${String(msgId)}`);
      super.ack(msgId);
    }
    override fail(msgId: unknown, reason: FailReason): void {
      failedAt = performance.now();
      events.push(`fail ${String(msgId)} ${reason.kind} ${reason.component}`);
      super.fail(msgId, reason);
    }
  }
  const ledger = newLedger();
  let attempt = 0;
  const def = topology('timeout-replay', { messageTimeoutMs: 200 })
    .spout('src', { create: () => new RecordingSpout([['only']], ledger), outputs: { default: ['word'] } })
    .bolt('slow', {
      create: () =>
        new FnBolt(
          (tuple, c) => {
            attempt++;
            events.push(`execute ${String(tuple.get('word'))} #${attempt}`);
            if (attempt === 1) firstAt = performance.now();
            else c.ack(tuple); // the first attempt is never acked
          },
          { ackMode: 'manual' },
        ),
      inputs: [{ from: 'src', grouping: shuffle() }],
    })
    .build();
  const srcTask = computeLayout(def).tasksOf.get('src')![0]!;
  const runtime = await startRuntime(t, def);
  await runtime.completion;

  assert.deepEqual(events, ['execute only #1', 'fail 0 timeout src', 'execute only #2', 'ack 0']);
  const reason = ledger.failed[0]!.reason;
  assert.deepEqual(reason, { kind: 'timeout', component: 'src', task: srcTask, message: 'tuple tree not complete within 200 ms (messageTimeoutMs)' });
  // The timeout lands between T and 1.25 T after the emit (1 ms of slack for timer rounding).
  assert.ok(failedAt - firstAt >= 199, `timed out after ${failedAt - firstAt} ms`);
  assert.equal(metricValue(runtime.metrics, 'squall_spout_failed_total', { component: 'src' }), 1);
  assert.equal(metricValue(runtime.metrics, 'squall_spout_acked_total', { component: 'src' }), 1);
  assert.equal(runtime.stats().components.src!.emitted, 2);
});

test('10% random failures: every record reaches the sink, and each message id is acked exactly once', { timeout: 5000 }, async (t) => {
  const N = 5000;
  const rows = Array.from({ length: N }, (_, i) => [`record-${i}`, i]);
  const ledger = newLedger();
  const random = seededRandom(20260522);
  const seenBySink = new Map<number, number>();
  let failures = 0;
  const def = topology('random-failures', { maxSpoutPending: 500, queueCapacity: 256, batchSize: 64 })
    .spout('src', { create: () => new ListSpout(rows, ledger), outputs: { default: ['record', 'n'] } })
    .bolt('unreliable', {
      create: () =>
        new FnBolt(
          (tuple, c) => {
            // Emit first, then fail ~10%: the sink may see a record twice, never zero times.
            c.emit(tuple.values as unknown[], tuple);
            if (random() < 0.1) {
              failures++;
              c.fail(tuple, 'random failure');
            } else {
              c.ack(tuple);
            }
          },
          { ackMode: 'manual' },
        ),
      parallelism: 2,
      inputs: [{ from: 'src', grouping: shuffle() }],
      outputs: { default: ['record', 'n'] },
    })
    .bolt('sink', {
      create: () => new FnBolt((tuple) => void seenBySink.set(tuple.get<number>('n'), (seenBySink.get(tuple.get<number>('n')) ?? 0) + 1)),
      tasks: 3,
      inputs: [{ from: 'unreliable', grouping: fields('n') }],
    })
    .build();
  const runtime = await startRuntime(t, def);
  await runtime.completion;

  assert.ok(failures > N * 0.08 && failures < N * 0.15, `failures: ${failures}`);
  assert.equal(ledger.failed.length, failures);
  assert.ok(ledger.failed.every((f) => f.reason.kind === 'explicit' && f.reason.component === 'unreliable' && f.reason.message === 'random failure'));
  assert.equal(seenBySink.size, N, 'every record reached the sink');
  for (let i = 0; i < N; i++) assert.ok(seenBySink.get(i)! >= 1, `record ${i}`);
  assert.equal(ledger.acked.length, N);
  assert.deepEqual([...ledger.acked].sort((a, b) => (a as number) - (b as number)), rows.map((_, i) => i));
  assert.equal(ledger.emitted, N + failures);
  assert.equal(metricValue(runtime.metrics, 'squall_spout_acked_total', { component: 'src' }), N);
  assert.equal(runtime.acker.pending, 0);
});
