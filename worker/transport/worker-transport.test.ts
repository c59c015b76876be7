/** Two runtimes joined by the TCP transport on loopback: the way two worker processes talk. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Bolt, type OutputCollector, type Spout, type SpoutOutputCollector, TopologyRuntime, type TopologyDefinition, type Tuple, shuffle, topology } from '../../core/index.js';
import type { SpoutLedger } from '../../test/fixtures/components.js';
import { SPLIT_ROWS, inA, newSeen, splitTopology } from '../../test/fixtures/split-topology.js';
import { waitFor } from '../../test/support/wait.js';
import { WorkerTransport } from './worker-transport.js';

/** Runtimes A and B of `definition`, split by `inSideA`, each with its transport listening on loopback. */
async function pair(definition: TopologyDefinition, inSideA: (e: TopologyRuntime['layout']['executors'][number], layout: TopologyRuntime['layout']) => boolean, options: { maxQueued?: number; credit?: number } = {}) {
  const ports = new Map<string, number>();
  const probe = new TopologyRuntime({ topology: definition });
  const workerOf = new Map<number, string>();
  for (const e of probe.layout.executors) for (const t of e.tasks) workerOf.set(t, inSideA(e, probe.layout) ? 'A' : 'B');
  const make = async (self: 'A' | 'B') => {
    const transport = new WorkerTransport({ self, workerOfTask: (t) => workerOf.get(t)!, addressOf: (w) => (ports.has(w) ? { host: '127.0.0.1', port: ports.get(w)! } : undefined), ...options });
    ports.set(self, await transport.listen({ port: 0 }));
    const runtime = new TopologyRuntime({
      topology: definition,
      hosted: (layout) => layout.executors.filter((e) => inSideA(e, layout) === (self === 'A')),
      remoteEndpoint: (task) => transport.endpoint(task),
      remoteAcks: transport.acks(),
    });
    transport.attach(runtime);
    return { transport, runtime };
  };
  const a = await make('A');
  const b = await make('B');
  return { a, b, stop: async () => {
    await a.runtime.stop({ timeoutMs: 2_000 });
    await b.runtime.stop({ timeoutMs: 2_000 });
    await a.transport.close();
    await b.transport.close();
  } };
}

const settled = (ledgers: Map<number, SpoutLedger>) => [...ledgers.values()].reduce((n, l) => n + l.acked.length + l.failed.length, 0);

describe('worker transport', () => {
  test('a topology split over two workers: every grouping crosses TCP, every tuple is acked, a failure in B reaches A with its reason', { timeout: 30_000 }, async () => {
    const ledgers = new Map<number, SpoutLedger>();
    const seen = newSeen();
    const { a, b, stop } = await pair(splitTopology(ledgers, seen), inA);
    try {
      await b.runtime.start();
      await a.runtime.start();
      await waitFor(() => settled(ledgers) === 2 * SPLIT_ROWS, { timeoutMs: 20_000, message: 'every root acked or failed' });
    } finally {
      await stop();
    }
    const failed = [...ledgers.values()].flatMap((l) => l.failed);
    assert.deepEqual(failed.map((f) => f.msgId as number).sort((x, y) => x - y), [13, 13, 113, 113, 213, 213, 313, 313]);
    assert.ok(failed.every((f) => f.reason.component === 'total' && f.reason.message === 'unlucky 13'));
    assert.equal(seen.total, 2 * SPLIT_ROWS);
    assert.deepEqual([...seen.audit.values()], [2 * SPLIT_ROWS, 2 * SPLIT_ROWS]);
    assert.ok([...seen.countTasksOfKey.values()].every((tasks) => tasks.size === 1));
    assert.ok(a.transport.receivedTuples > 0 && b.transport.receivedTuples > 0, 'tuples went both ways');
  });

  test('a slow worker downstream throttles the spout upstream: the way between them stays bounded, nothing is dropped', { timeout: 60_000 }, async () => {
    const N = 20_000;
    let emitted = 0;
    let received = 0;
    class Counter implements Spout {
      #c!: SpoutOutputCollector;
      open(_: unknown, c: SpoutOutputCollector) {
        this.#c = c;
      }
      nextTuple() {
        if (emitted < N) this.#c.emit([emitted++, 'x'.repeat(200)]);
      }
    }
    class Slow implements Bolt {
      #c!: OutputCollector;
      prepare(_: unknown, c: OutputCollector) {
        this.#c = c;
      }
      async execute(t: Tuple) {
        received++;
        if (received % 200 === 0) await new Promise((r) => setTimeout(r, 1));
        this.#c.ack(t);
      }
      readonly ackMode = 'manual' as const;
    }
    // Acking off: no maxSpoutPending to hold the spout back, only the transport's credit and throttle.
    const definition = topology('slow', { acking: false, queueCapacity: 512 })
      .spout('src', { create: () => new Counter(), outputs: { default: ['i', 'pad'] } })
      .bolt('slow', { create: () => new Slow(), inputs: [{ from: 'src', grouping: shuffle() }] })
      .build();
    const maxQueued = 2_000;
    const { a, b, stop } = await pair(definition, (e) => e.component.id === 'src', { maxQueued, credit: 256 });
    try {
      await b.runtime.start();
      await a.runtime.start();
      await waitFor(() => received === N, { timeoutMs: 50_000, message: `all ${N} tuples received` });
    } finally {
      await stop();
    }
    const link = a.transport.links().get('B')!;
    assert.equal(emitted, N);
    assert.equal(link.droppedUnanchored, 0, 'no tuple was dropped at the bound');
    assert.ok(link.highWater <= maxQueued / 2 + 1024, `tuples waiting upstream peaked at ${link.highWater} (throttled at ${maxQueued / 2})`);
    assert.ok(link.highWater >= maxQueued / 2, `the spout outran the slow bolt and was throttled (peak ${link.highWater})`);
    const spoutThrottled = [...a.runtime.metrics.families()].find((f) => f.name === 'squall_spout_throttled_seconds_total')!;
    const backpressure = [...spoutThrottled.series.values()].find((s) => s.labels.reason === 'backpressure')!.metric as { value: number };
    assert.ok(backpressure.value > 0, 'the spout spent time throttled by backpressure');
  });

  test('a connection that drops mid-run: what it held is replayed by the spouts, and nothing is lost', { timeout: 60_000 }, async () => {
    const ledgers = new Map<number, SpoutLedger>();
    const seen = newSeen();
    // Replays without limit, a short timeout for what was lost in the drop; 'total' fails none here.
    const definition = splitTopology(ledgers, seen, { maxReplays: Infinity, messageTimeoutMs: 3_000 });
    // A small credit, so tuples wait in A for B's grants: the drop always finds some in flight.
    const { a, b, stop } = await pair(definition, inA, { credit: 16 });
    const ackedRows = () => new Set([...ledgers.entries()].flatMap(([task, l]) => l.acked.map((id) => `${task}:${String(id)}`)));
    try {
      await b.runtime.start();
      await a.runtime.start();
      // B drops every connection it accepted, in the middle of the run: at a moment tuples wait in A to go to B.
      await waitFor(() => {
        if (b.transport.receivedTuples === 0 || (a.transport.links().get('B')?.queued ?? 0) === 0) return false;
        b.transport.dropInbound();
        return true;
      }, { intervalMs: 1, message: 'tuples waiting in A for B' });
      await waitFor(() => {
        const acked = ackedRows();
        // Every row of both spout tasks acked once, except those 'total' fails each time.
        return [...ledgers.keys()].every((task) => Array.from({ length: SPLIT_ROWS }, (_, i) => i).every((i) => i % 100 === 13 || acked.has(`${task}:${i}`)));
      }, { timeoutMs: 50_000, message: 'every row acked' });
    } finally {
      await stop();
    }
    const failures = [...ledgers.values()].flatMap((l) => l.failed).filter((f) => f.reason.component !== 'total');
    assert.ok(failures.length > 0, 'the drop failed something, which was replayed');
  });

  test('two workers feeding each other do not wait on each other: a sink that may emit back is throttled only by its own tuples', { timeout: 60_000 }, async () => {
    // The webrequest shape that once stalled on two workers: source (B) → refine (A) → sink (B),
    // and the sink may send an error back to A. With the way B → A full of source tuples, and
    // credit held back by any full inbox, the sink waited on A's refine, which waited on the sink.
    const N = 20_000;
    let emitted = 0;
    let sunk = 0;
    class Source implements Spout {
      #c!: SpoutOutputCollector;
      open(_: unknown, c: SpoutOutputCollector) {
        this.#c = c;
      }
      nextTuple() {
        if (emitted < N) this.#c.emit([emitted++]);
      }
    }
    class Refine implements Bolt {
      #c!: OutputCollector;
      prepare(_: unknown, c: OutputCollector) {
        this.#c = c;
      }
      execute(t: Tuple) {
        this.#c.emit([t.values[0]]);
      }
    }
    class Sink implements Bolt {
      #c!: OutputCollector;
      prepare(_: unknown, c: OutputCollector) {
        this.#c = c;
      }
      async execute(t: Tuple) {
        // Slow at first, so that queues fill up everywhere; it never emits an error.
        if (++sunk % 50 === 0 && sunk < N / 2) await new Promise((r) => setTimeout(r, 2));
        if (t.values[0] === -1) this.#c.emitTo('errors', ['never']);
      }
    }
    class Errors implements Bolt {
      execute() {}
    }
    const definition = topology('cycle', { acking: false, queueCapacity: 256 })
      .spout('source', { create: () => new Source(), outputs: { default: ['n'] } })
      .bolt('refine', { create: () => new Refine(), inputs: [{ from: 'source', grouping: shuffle() }], outputs: { default: ['n'] } })
      .bolt('sink', { create: () => new Sink(), inputs: [{ from: 'refine', grouping: shuffle() }], outputs: { errors: ['e'] } })
      .bolt('errors', { create: () => new Errors(), inputs: [{ from: 'sink', stream: 'errors', grouping: shuffle() }] })
      .build();
    const { a, b, stop } = await pair(definition, (e) => e.component.id === 'refine' || e.component.id === 'errors', { maxQueued: 1_000, credit: 128 });
    try {
      await a.runtime.start();
      await b.runtime.start();
      await waitFor(() => sunk === N, { timeoutMs: 50_000, message: `all ${N} tuples sunk (the sink had ${sunk})` });
    } finally {
      await stop();
    }
    assert.equal(emitted, N);
  });
});
