import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FailReason } from '../tuple.js';
import { Acker, type RootOwner } from './acker.js';

/** A root owner that records what the acker tells it. */
class Owner implements RootOwner {
  readonly acked: { task: number; msgId: unknown; startedAt: number }[] = [];
  readonly failed: { task: number; msgId: unknown; reason: FailReason }[] = [];
  rootAcked(task: number, msgId: unknown, startedAt: number): void {
    this.acked.push({ task, msgId, startedAt });
  }
  rootFailed(task: number, msgId: unknown, reason: FailReason): void {
    this.failed.push({ task, msgId, reason });
  }
}

const componentOf = (task: number) => (task === 7 ? 'words' : `task ${task}`);

describe('Acker', () => {
  test('a root whose first edges XOR to zero completes at once (nobody subscribed)', () => {
    const owner = new Owner();
    const acker = new Acker(componentOf);
    const id = acker.init(owner, 7, 'm1', 12.5);
    assert.equal(acker.pending, 1);
    acker.ack(id, 0, 0);
    assert.deepEqual(owner.acked, [{ task: 7, msgId: 'm1', startedAt: 12.5 }]);
    assert.equal(acker.pending, 0);
  });

  test('a tree completes only when every edge is acked, and exactly once', () => {
    const owner = new Owner();
    const acker = new Acker(componentOf);
    const id = acker.init(owner, 7, 'm', 0);
    const [e1, e2, e3] = [0x12345678, 0x0badf00d, 0x7fff0001];
    // The spout seeds the two edges it emitted; then each bolt acks its input and adds its children.
    acker.ack(id, e1 ^ e2, 1 ^ 2);
    acker.ack(id, e1 ^ e3, 1 ^ 3); // bolt A acks e1 and anchors e3
    assert.equal(owner.acked.length, 0);
    acker.ack(id, e2, 2); // bolt B acks e2
    assert.equal(owner.acked.length, 0);
    acker.ack(id, e3, 3); // the sink acks e3: XOR is zero
    assert.deepEqual(owner.acked.map((a) => a.msgId), ['m']);
    // Anything after completion is ignored: no second ack, no fail.
    acker.ack(id, e3, 3);
    acker.fail(id, { kind: 'explicit', component: 'x', task: 1, message: 'late' });
    assert.equal(owner.acked.length, 1);
    assert.equal(owner.failed.length, 0);
    assert.equal(acker.pending, 0);
  });

  test('the high and low halves must both reach zero', () => {
    const owner = new Owner();
    const acker = new Acker(componentOf);
    const id = acker.init(owner, 7, 'm', 0);
    acker.ack(id, 5, 9);
    acker.ack(id, 5, 0); // hi is zero, lo is not
    assert.equal(owner.acked.length, 0);
    acker.ack(id, 0, 9);
    assert.equal(owner.acked.length, 1);
  });

  test('fail reports the reason once and forgets the root', () => {
    const owner = new Owner();
    const acker = new Acker(componentOf);
    const id = acker.init(owner, 7, 'm', 0);
    acker.ack(id, 1, 1);
    const reason: FailReason = { kind: 'explicit', component: 'sink', task: 3, message: 'bad row' };
    acker.fail(id, reason);
    acker.fail(id, reason);
    acker.ack(id, 1, 1);
    assert.deepEqual(owner.failed, [{ task: 7, msgId: 'm', reason }]);
    assert.equal(owner.acked.length, 0);
    assert.equal(acker.pending, 0);
  });

  test('roots have distinct ids and are tracked independently', () => {
    const owner = new Owner();
    const acker = new Acker(componentOf);
    const ids = Array.from({ length: 100 }, (_, i) => acker.init(owner, 7, i, 0));
    assert.equal(new Set(ids).size, 100);
    for (const id of ids) acker.ack(id, 3, 4);
    for (const id of ids.filter((_, i) => i % 2 === 0)) acker.ack(id, 3, 4);
    assert.deepEqual(
      owner.acked.map((a) => a.msgId),
      Array.from({ length: 50 }, (_, i) => i * 2),
    );
    assert.equal(acker.pending, 50);
  });

  test('sweep times a root out after buckets + 1 generations, naming the spout', () => {
    const owner = new Owner();
    const acker = new Acker(componentOf);
    const early = acker.init(owner, 7, 'early', 0);
    acker.ack(early, 1, 1);
    assert.equal(acker.sweep(200), 0);
    assert.equal(acker.sweep(200), 0);
    const late = acker.init(owner, 7, 'late', 0);
    acker.ack(late, 1, 1);
    // 'early' was made in generation 0 and expires at generation 5; 'late' (generation 2) at 7.
    for (let gen = 3; gen <= 4; gen++) assert.equal(acker.sweep(200), 0, `generation ${gen}`);
    assert.equal(owner.failed.length, 0);
    assert.equal(acker.sweep(200), 1);
    assert.deepEqual(owner.failed, [
      { task: 7, msgId: 'early', reason: { kind: 'timeout', component: 'words', task: 7, message: 'tuple tree not complete within 200 ms (messageTimeoutMs)' } },
    ]);
    assert.equal(acker.sweep(200), 0);
    assert.equal(acker.sweep(200), 1);
    assert.deepEqual(owner.failed.map((f) => f.msgId), ['early', 'late']);
    assert.equal(acker.pending, 0);
  });

  test('a root completed before its timeout is not failed by a later sweep', () => {
    const owner = new Owner();
    const acker = new Acker(componentOf);
    const id = acker.init(owner, 7, 'm', 0);
    acker.ack(id, 1, 1);
    acker.sweep(100);
    acker.ack(id, 1, 1);
    for (let i = 0; i < 10; i++) assert.equal(acker.sweep(100), 0);
    assert.equal(owner.acked.length, 1);
    assert.equal(owner.failed.length, 0);
  });

  test('the sweep interval is a quarter of the timeout, at least 1 ms', () => {
    assert.equal(Acker.sweepIntervalMs(200), 50);
    assert.equal(Acker.sweepIntervalMs(30_000), 7500);
    assert.equal(Acker.sweepIntervalMs(2), 1);
  });

  test('discard forgets one root without telling its owner (a refused emit)', () => {
    const owner = new Owner();
    const acker = new Acker(componentOf);
    const refused = acker.init(owner, 7, 'refused', 0);
    const kept = acker.init(owner, 7, 'kept', 0);
    acker.ack(kept, 1, 1);
    acker.discard(refused);
    assert.equal(acker.pending, 1);
    for (let i = 0; i < 6; i++) acker.sweep(100);
    assert.deepEqual(owner.failed.map((f) => f.msgId), ['kept']);
  });

  test('clear forgets every root without telling its owner', () => {
    const owner = new Owner();
    const acker = new Acker(componentOf);
    const ids = [acker.init(owner, 7, 'a', 0), acker.init(owner, 7, 'b', 0)];
    for (const id of ids) acker.ack(id, 1, 1);
    assert.equal(acker.clear(), 2);
    assert.equal(acker.pending, 0);
    for (let i = 0; i < 10; i++) acker.sweep(100);
    for (const id of ids) acker.ack(id, 1, 1);
    assert.deepEqual([owner.acked.length, owner.failed.length], [0, 0]);
  });
});
