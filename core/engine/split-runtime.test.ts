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
  all,
  decodeAckBatch,
  decodeTupleBatch,
  encodeAckBatch,
  encodeTupleBatch,
  fields,
  global,
  shuffle,
  topology,
} from '../index.js';
import { FnBolt, ListSpout, type SpoutLedger, newLedger } from '../../test/fixtures/components.js';
import { waitFor } from '../../test/support/wait.js';
import type { ExecutorLayout, TopologyLayout } from './layout.js';

const ROWS = 400;
const rows = Array.from({ length: ROWS }, (_, i) => [i]);

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

/** Collected by the bolts, wherever they run. */
interface Seen {
  countTasksOfKey: Map<number, Set<number>>;
  audit: Map<number, number>;
  total: number;
}

function splitTopology(ledgers: Map<number, SpoutLedger>, seen: Seen) {
  return topology('split', { messageTimeoutMs: 30_000 })
    .spout('src', { create: ({ taskId }) => new ListSpout(rows, ledgers.set(taskId, newLedger()).get(taskId), { maxReplays: 0 }), parallelism: 2, outputs: { default: ['i'] } })
    .bolt('split', { create: () => new FnBolt((t, c) => c.emit([t.get('i'), (t.get('i') as number) % 7])), parallelism: 2, inputs: [{ from: 'src', grouping: shuffle() }], outputs: { default: ['i', 'key'] } })
    .bolt('count', {
      create: () =>
        new FnBolt((t, c, b) => {
          const key = t.get('key') as number;
          const tasks = seen.countTasksOfKey.get(key) ?? new Set();
          seen.countTasksOfKey.set(key, tasks.add(b.context.taskId));
          c.emit([key, t.get('i')]);
        }),
      parallelism: 2,
      inputs: [{ from: 'split', grouping: fields('key') }],
      outputs: { default: ['key', 'i'] },
    })
    .bolt('audit', { create: () => new FnBolt((_t, _c, b) => void seen.audit.set(b.context.taskId, (seen.audit.get(b.context.taskId) ?? 0) + 1)), parallelism: 2, inputs: [{ from: 'count', grouping: all() }] })
    .bolt('total', {
      create: () =>
        new FnBolt(
          (t, c) => {
            seen.total++;
            if ((t.get('i') as number) % 100 === 13) c.fail(t, 'unlucky 13');
            else c.ack(t);
          },
          { ackMode: 'manual' },
        ),
      inputs: [{ from: 'count', grouping: global() }],
    })
    .build();
}

/** Runtime A: both spout tasks and the first executor of split, the second of count, the first of audit. B: the rest. */
function inA(e: ExecutorLayout, layout: TopologyLayout): boolean {
  const index = layout.executors.filter((x) => x.component.id === e.component.id).indexOf(e);
  return e.component.id === 'src' || (e.component.id === 'split' && index === 0) || (e.component.id === 'count' && index === 1) || (e.component.id === 'audit' && index === 0);
}

describe('a topology split over two runtimes joined by a wire', () => {
  test('every grouping spans the wire, every tuple is acked, and a failure in B reaches the spout in A with its reason', { timeout: 20_000 }, async () => {
    const ledgers = new Map<number, SpoutLedger>();
    const seen: Seen = { countTasksOfKey: new Map(), audit: new Map(), total: 0 };
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
    const definition = splitTopology(new Map(), { countTasksOfKey: new Map(), audit: new Map(), total: 0 });
    assert.throws(
      () => new TopologyRuntime({ topology: definition, hosted: (layout) => layout.executors.filter((e) => inA(e, layout)) }),
      (error: unknown) =>
        error instanceof SquallError &&
        error.code === ErrorCodes.INVALID_CONFIG &&
        /hosts 5 of 9 executors, and tasks \d.* run elsewhere, but it has no remoteEndpoint or remoteAcks to reach them/.test(error.message),
    );
  });
});
