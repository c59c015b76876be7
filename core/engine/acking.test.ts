/** Tuple trees and DAGs through a running topology: when the spout hears `ack`, and when it must not. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Tuple, global, shuffle, topology } from '../index.js';
import { FnBolt, ListSpout, collectInto, newLedger } from '../../test/fixtures/components.js';
import { deferred, metricValue, startRuntime } from '../../test/fixtures/harness.js';

const byNumber = (xs: unknown[]) => [...xs].sort((a, b) => (a as number) - (b as number));

describe('acking', () => {
  test('a fan-out that joins across two roots, then a relay, completes only when every edge is acked', { timeout: 2000 }, async (t) => {
    const ledger = newLedger();
    const held: Tuple[] = [];
    const joinReady = deferred();
    const sinkGot = deferred<Tuple>();
    let join!: FnBolt;
    let sink!: FnBolt;
    const def = topology('dag')
      .spout('src', { create: () => new ListSpout([[0], [1]], ledger), outputs: { default: ['i'] } })
      .bolt('left', { create: () => new FnBolt((tu, c) => c.emit([tu.get('i'), 'L'])), inputs: [{ from: 'src', grouping: shuffle() }], outputs: { default: ['i', 'side'] } })
      .bolt('right', { create: () => new FnBolt((tu, c) => c.emit([tu.get('i'), 'R'])), inputs: [{ from: 'src', grouping: shuffle() }], outputs: { default: ['i', 'side'] } })
      .bolt('join', {
        create: () =>
          (join = new FnBolt(
            (tu) => {
              held.push(tu);
              if (held.length === 4) joinReady.resolve();
            },
            { ackMode: 'manual' },
          )),
        inputs: [
          { from: 'left', grouping: global() },
          { from: 'right', grouping: global() },
        ],
        outputs: { default: ['pair'] },
      })
      // relay's output is anchored to a tuple with two roots: it must carry both.
      .bolt('relay', { create: () => new FnBolt((tu, c) => c.emit([tu.get('pair')])), inputs: [{ from: 'join', grouping: shuffle() }], outputs: { default: ['pair'] } })
      .bolt('sink', { create: () => (sink = new FnBolt((tu) => sinkGot.resolve(tu), { ackMode: 'manual' })), inputs: [{ from: 'relay', grouping: shuffle() }] })
      .build();
    await startRuntime(t, def);
    await joinReady.promise;
    assert.deepEqual(held.map((h) => `${String(h.get('i'))}${String(h.get('side'))}`).sort(), ['0L', '0R', '1L', '1R']);

    // One tuple anchored to four inputs that belong to two different roots.
    join.collector.emit(['0+1'], held);
    for (const h of held) {
      join.collector.ack(h);
      assert.deepEqual(ledger.acked, [], 'no root is complete while the joined tuple is out');
    }
    const joined = await sinkGot.promise;
    assert.deepEqual(joined.values, ['0+1']);
    assert.deepEqual(ledger.acked, [], 'relay acked the joined tuple, but its child is still out');
    sink.collector.ack(joined);
    assert.deepEqual(byNumber(ledger.acked), [0, 1]);
    sink.collector.ack(joined);
    sink.collector.fail(joined, 'too late');
    assert.deepEqual(byNumber(ledger.acked), [0, 1]);
    assert.deepEqual(ledger.failed, []);
  });

  test('a tuple acked twice (or failed after its ack) does not corrupt the XOR', { timeout: 2000 }, async (t) => {
    const ledger = newLedger();
    const got: { task: number; values: unknown[]; source: string }[] = [];
    const def = topology('double-ack')
      .spout('src', { create: () => new ListSpout([[0], [1], [2]], ledger), outputs: { default: ['i'] } })
      .bolt('mid', {
        create: () =>
          new FnBolt(
            (tu, c) => {
              c.emit([tu.get('i')], tu);
              c.ack(tu);
              c.ack(tu);
              c.fail(tu, 'ignored: already acked');
            },
            { ackMode: 'manual' },
          ),
        inputs: [{ from: 'src', grouping: shuffle() }],
        outputs: { default: ['i'] },
      })
      .bolt('sink', { create: collectInto(got), inputs: [{ from: 'mid', grouping: shuffle() }] })
      .build();
    const runtime = await startRuntime(t, def);
    await runtime.completion; // a corrupted XOR never reaches zero: this would time out
    assert.deepEqual(byNumber(ledger.acked), [0, 1, 2]);
    assert.deepEqual(ledger.failed, []);
    assert.equal(got.length, 3);
    const mid = runtime.stats().components.mid!;
    assert.deepEqual([mid.acked, mid.failed], [3, 0]);
  });

  test('unanchored emits are not tracked: the root completes while the child is still held', { timeout: 2000 }, async (t) => {
    const ledger = newLedger();
    const held: Tuple[] = [];
    const allHeld = deferred();
    let sink!: FnBolt;
    const def = topology('unanchored')
      .spout('src', { create: () => new ListSpout([[0], [1], [2], [3]], ledger), outputs: { default: ['i'] } })
      // Auto mode with anchors: null, and manual mode with no anchors, both emit unanchored.
      .bolt('auto', { create: () => new FnBolt((tu, c) => c.emit([tu.get('i')], null)), inputs: [{ from: 'src', grouping: shuffle() }], outputs: { default: ['i'] } })
      .bolt('manual', {
        create: () =>
          new FnBolt(
            (tu, c) => {
              c.emit([tu.get('i')]);
              c.ack(tu);
            },
            { ackMode: 'manual' },
          ),
        inputs: [{ from: 'src', grouping: shuffle() }],
        outputs: { default: ['i'] },
      })
      .bolt('sink', {
        create: () =>
          (sink = new FnBolt(
            (tu) => {
              held.push(tu);
              if (held.length === 8) allHeld.resolve();
            },
            { ackMode: 'manual' },
          )),
        inputs: [
          { from: 'auto', grouping: shuffle() },
          { from: 'manual', grouping: shuffle() },
        ],
      })
      .build();
    const runtime = await startRuntime(t, def);
    await runtime.completion;
    await allHeld.promise;
    assert.deepEqual(byNumber(ledger.acked), [0, 1, 2, 3]);
    for (const h of held) sink.collector.fail(h, 'the spout must not hear this');
    assert.deepEqual(ledger.failed, []);
    assert.equal(runtime.acker.pending, 0);
  });

  test('a spout emit without a message id is fire-and-forget: no ack, no fail', { timeout: 2000 }, async (t) => {
    const ledger = newLedger();
    const def = topology('untracked')
      .spout('src', { create: () => new ListSpout([[0], [1], [2]], ledger, { tracked: false }), outputs: { default: ['i'] } })
      .bolt('boom', {
        create: () =>
          new FnBolt(() => {
            throw new Error('boom');
          }),
        inputs: [{ from: 'src', grouping: shuffle() }],
      })
      .build();
    const runtime = await startRuntime(t, def);
    await runtime.completion;
    assert.equal(ledger.emitted, 3);
    assert.deepEqual([ledger.acked, ledger.failed], [[], []]);
    assert.equal(runtime.stats().components.boom!.failed, 3);
  });
});

describe('at-most-once (acking: false)', () => {
  test('a spout emit with a message id is acked at once, and never failed, even when a bolt throws', { timeout: 2000 }, async (t) => {
    const events: string[] = [];
    class RecordingSpout extends ListSpout {
      override ack(msgId: unknown): void {
        events.push(`ack ${String(msgId)}`);
        super.ack(msgId);
      }
    }
    const ledger = newLedger();
    const def = topology('at-most-once', { acking: false, maxSpoutPending: 1 })
      .spout('src', { create: () => new RecordingSpout([[0], [1], [2], [3]], ledger), outputs: { default: ['i'] } })
      .bolt('boom', {
        create: () =>
          new FnBolt((tu) => {
            events.push(`execute ${String(tu.get('i'))}`);
            throw new Error(`boom ${String(tu.get('i'))}`);
          }),
        inputs: [{ from: 'src', grouping: shuffle() }],
      })
      .build();
    const runtime = await startRuntime(t, def);
    await runtime.completion;
    assert.deepEqual(ledger.acked, [0, 1, 2, 3]);
    assert.deepEqual(ledger.failed, []);
    // Acked when emitted, before any bolt ran it; maxSpoutPending does not apply without acking.
    for (let i = 0; i < 4; i++) assert.ok(events.indexOf(`ack ${i}`) < events.indexOf(`execute ${i}`), events.join(', '));
    assert.ok(events.indexOf('ack 3') < events.indexOf('execute 0'), `one batch emitted all four: ${events.join(', ')}`);
    assert.equal(metricValue(runtime.metrics, 'squall_errors_total', { component: 'boom' }), 4);
    assert.equal(runtime.acker.pending, 0);
  });
});
