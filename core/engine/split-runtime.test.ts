/**
 * One topology split over two runtimes in one process, joined by an in-memory "wire" that
 * encodes and decodes every batch of tuples and acks: the seams a cluster worker builds on.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type AckRoute,
  ErrorCodes,
  type RemoteEndpoint,
  SquallError,
  TopologyRuntime,
  type WireAck,
  type WireTuple,
  decodeAckBatch,
  decodeTupleBatch,
  encodeAckBatch,
  encodeTupleBatch,
} from '../index.js';
import type { SpoutLedger } from '../../test/fixtures/components.js';
import { SPLIT_ROWS as ROWS, inA, newSeen, splitTopology } from '../../test/fixtures/split-topology.js';
import { waitFor } from '../../test/support/wait.js';

/** Two runtimes and the wire between them: every batch is framed, sent on the next turn, and read back. */
class MemoryWire {
  readonly runtimes: TopologyRuntime[] = [];
  /** Which runtime hosts each task. */
  readonly hostOf = new Map<number, number>();
  readonly #tuples = new Map<number, WireTuple[]>();
  readonly #acks = new Map<number, WireAck[]>();
  #scheduled = false;
  framesSent = 0;
  tuplesSent = 0;

  endpoint(task: number): RemoteEndpoint {
    return {
      push: (tuple) => {
        assert.equal(tuple.dest, task);
        this.#queue(this.#tuples, this.hostOf.get(task)!, tuple);
      },
      load: () => 0,
    };
  }

  acks(): AckRoute {
    return {
      ack: (rootTask, rootId, hi, lo) => this.#queue(this.#acks, this.hostOf.get(rootTask)!, { kind: 'ack', rootTask, rootId, hi, lo }),
      fail: (rootTask, rootId, reason) => this.#queue(this.#acks, this.hostOf.get(rootTask)!, { kind: 'fail', rootTask, rootId, reason }),
    };
  }

  #queue<T>(queues: Map<number, T[]>, runtime: number, item: T): void {
    let q = queues.get(runtime);
    if (q === undefined) queues.set(runtime, (q = []));
    q.push(item);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.#flush());
    }
  }

  #flush(): void {
    this.#scheduled = false;
    for (const [i, batch] of this.#tuples) {
      this.#tuples.delete(i);
      this.framesSent++;
      this.tuplesSent += batch.length;
      this.runtimes[i]!.deliver(decodeTupleBatch(encodeTupleBatch(batch)));
    }
    for (const [i, batch] of this.#acks) {
      this.#acks.delete(i);
      this.framesSent++;
      this.runtimes[i]!.deliverAcks(decodeAckBatch(encodeAckBatch(batch)));
    }
  }
}

describe('a topology split over two runtimes joined by a wire', () => {
  test('every grouping spans the wire, every tuple is acked, and a failure in B reaches the spout in A with its reason', { timeout: 20_000 }, async () => {
    const ledgers = new Map<number, SpoutLedger>();
    const seen = newSeen();
    const definition = splitTopology(ledgers, seen);
    const wire = new MemoryWire();
    const make = (side: 0 | 1) =>
      new TopologyRuntime({
        topology: definition,
        hosted: (layout) => layout.executors.filter((e) => inA(e, layout) === (side === 0)),
        remoteEndpoint: (task) => wire.endpoint(task),
        remoteAcks: wire.acks(),
      });
    const a = make(0);
    const b = make(1);
    wire.runtimes.push(a, b);
    for (const e of a.layout.executors) for (const task of e.tasks) wire.hostOf.set(task, inA(e, a.layout) ? 0 : 1);
    await b.start();
    await a.start();
    const settled = () => [...ledgers.values()].reduce((n, l) => n + l.acked.length + l.failed.length, 0);
    try {
      await waitFor(() => settled() === 2 * ROWS, { timeoutMs: 15_000, message: 'every root acked or failed' });
    } finally {
      await a.stop({ timeoutMs: 2_000 });
      await b.stop({ timeoutMs: 2_000 });
    }

    const failed = [...ledgers.values()].flatMap((l) => l.failed);
    const acked = [...ledgers.values()].flatMap((l) => l.acked);
    assert.equal(ledgers.size, 2);
    assert.deepEqual(failed.map((f) => f.msgId as number).sort((x, y) => x - y), [13, 13, 113, 113, 213, 213, 313, 313]);
    const totalTask = a.layout.tasksOf.get('total')![0]!;
    for (const f of failed) assert.deepEqual(f.reason, { kind: 'explicit', component: 'total', task: totalTask, message: 'unlucky 13' });
    assert.equal(acked.length, 2 * ROWS - 8);
    assert.equal(seen.total, 2 * ROWS, 'global: one task saw every tuple');
    assert.deepEqual([...seen.audit.values()], [2 * ROWS, 2 * ROWS], 'all: each audit task saw every tuple');
    assert.ok([...seen.countTasksOfKey.values()].every((tasks) => tasks.size === 1), 'fields: each key went to one count task');
    assert.equal(new Set([...seen.countTasksOfKey.values()].map((t) => [...t][0])).size, 2, 'both count tasks, one per runtime, got keys');
    assert.ok(wire.tuplesSent > 2 * ROWS, `tuples crossed the wire (${wire.tuplesSent} in ${wire.framesSent} frames)`);
    assert.equal(a.acker.pending + b.acker.pending, 0);
  });

  test('a runtime hosting some executors without a way to reach the others fails when it is made, naming what is missing', () => {
    const definition = splitTopology(new Map(), newSeen());
    assert.throws(
      () => new TopologyRuntime({ topology: definition, hosted: (layout) => layout.executors.filter((e) => inA(e, layout)) }),
      (error: unknown) =>
        error instanceof SquallError &&
        error.code === ErrorCodes.INVALID_CONFIG &&
        /hosts 5 of 9 executors, and tasks \d.* run elsewhere, but it has no remoteEndpoint or remoteAcks to reach them/.test(error.message),
    );
  });
});
