/** Releasing a tuple's values: what it frees, and what it leaves as it was (acking, failing, anchoring). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ErrorCodes, type Tuple, shuffle, topology } from '../index.js';
import { FnBolt, ListSpout, WeakObjectSpout, newLedger } from '../../test/fixtures/components.js';
import { collectGarbage, deferred, startRuntime } from '../../test/fixtures/harness.js';

describe('release', () => {
  test('a released tuple is acked, failed and anchored as before, and its values can no longer be read', { timeout: 2000 }, async (t) => {
    const ledger = newLedger();
    const held = new Map<string, Tuple>();
    const heldAll = deferred();
    const childGot = deferred<Tuple>();
    let hold!: FnBolt;
    let child!: FnBolt;
    const def = topology('release')
      .spout('src', { create: () => new ListSpout([['a'], ['b'], ['c']], ledger), outputs: { default: ['v'] } })
      .bolt('hold', {
        create: () =>
          (hold = new FnBolt(
            (tuple, c) => {
              const v = tuple.get<string>('v');
              c.release!(tuple);
              // Anchoring needs no values.
              if (v === 'c') c.emit([`${v}!`], tuple);
              held.set(v, tuple);
              if (held.size === 3) heldAll.resolve();
            },
            { ackMode: 'manual' },
          )),
        inputs: [{ from: 'src', grouping: shuffle() }],
        outputs: { default: ['v'] },
      })
      .bolt('child', { create: () => (child = new FnBolt((tuple) => childGot.resolve(tuple), { ackMode: 'manual' })), inputs: [{ from: 'hold', grouping: shuffle() }] })
      .build();
    await startRuntime(t, def);
    await heldAll.promise;
    const [a, b, c] = ['a', 'b', 'c'].map((v) => held.get(v)!) as [Tuple, Tuple, Tuple];
    for (const tuple of [a, b, c]) {
      assert.throws(() => tuple.values, { code: ErrorCodes.TUPLE_RELEASED });
      assert.throws(() => tuple.get('v'), { code: ErrorCodes.TUPLE_RELEASED });
      assert.equal(tuple.sourceComponent, 'src', 'what the engine knows of the tuple stays');
    }

    hold.collector.ack(a);
    hold.collector.ack(a);
    assert.deepEqual(ledger.acked, [0], 'acked once, however often ack is called');
    hold.collector.fail(b, 'written nowhere');
    assert.deepEqual(
      ledger.failed.map((f) => [f.msgId, f.reason.message]),
      [[1, 'written nowhere']],
    );
    hold.collector.ack(c);
    assert.deepEqual(ledger.acked, [0], "c's child, anchored after the release, is still out");
    child.collector.ack(await childGot.promise);
    assert.deepEqual(ledger.acked, [0, 2]);
  });

  test('what a released tuple held can be collected while the tuple waits for its ack; an unreleased one stays', { timeout: 5000 }, async (t) => {
    const spout = new WeakObjectSpout(40, (id) => {
      const record = { id, payload: `${'x'.repeat(64)}${id}` };
      return { object: record, values: [record] };
    });
    const held: Tuple[] = [];
    const heldAll = deferred();
    let hold!: FnBolt;
    const def = topology('release-gc')
      .spout('src', { create: () => spout, outputs: { default: ['record'] } })
      .bolt('hold', {
        create: () =>
          (hold = new FnBolt(
            (tuple, c) => {
              // Even ids are released, odd ones only held.
              if (tuple.get<{ id: number }>('record').id % 2 === 0) c.release!(tuple);
              held.push(tuple);
              if (held.length === spout.count) heldAll.resolve();
            },
            { ackMode: 'manual' },
          )),
        inputs: [{ from: 'src', grouping: shuffle() }],
      })
      .build();
    await startRuntime(t, def);
    await heldAll.promise;
    await collectGarbage();
    assert.deepEqual(
      spout.alive(),
      Array.from({ length: spout.count / 2 }, (_, i) => 2 * i + 1),
      'released records are gone, held ones are not',
    );
    assert.deepEqual(spout.acked, [], 'nothing acked yet');
    for (const tuple of held) hold.collector.ack(tuple);
    assert.deepEqual([...spout.acked].sort((x, y) => (x as number) - (y as number)), Array.from({ length: spout.count }, (_, i) => i));
  });
});
