/** Lifecycle and shutdown: graceful drain with tuples queued, forced stop past the deadline, hooks in order. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ErrorCodes, type OutputCollector, type TopologyContext, TopologyRuntime, shuffle, topology } from '../index.js';
import { FnBolt, ListSpout, collectInto, newLedger } from '../../test/fixtures/components.js';
import { deferred, startRuntime } from '../../test/fixtures/harness.js';

/** Drops consecutive repeats: ['a', 'b', 'b', 'a'] → ['a', 'b', 'a']. */
const runs = (xs: string[]) => xs.filter((x, i) => x !== xs[i - 1]);

/** A FnBolt that also records its prepare. */
class RecordingBolt extends FnBolt {
  override prepare(context: TopologyContext, collector: OutputCollector): void {
    this.onPrepare?.();
    super.prepare(context, collector);
  }
  onPrepare: (() => void) | undefined;
}

const rows = Array.from({ length: 200 }, (_, i) => [i]);

describe('graceful stop', () => {
  test('drains queued tuples, flushes, and calls every hook in order', { timeout: 2000 }, async (t) => {
    const events: string[] = [];
    class RecordingSpout extends ListSpout {
      override open(context: TopologyContext, collector: Parameters<ListSpout['open']>[1]): void {
        events.push('src:open');
        super.open(context, collector);
      }
      override activate(): void {
        events.push('src:activate');
      }
      override deactivate(): void {
        events.push('src:deactivate');
      }
      override close(): void {
        events.push('src:close');
      }
    }
    const ledger = newLedger();
    const firstSeen = deferred();
    const gate = deferred();
    const flushed: { task: number; values: unknown[]; source: string }[] = [];
    let executed = 0;
    const def = topology('graceful', { queueCapacity: 16, batchSize: 4 })
      .spout('src', { create: () => new RecordingSpout(rows, ledger), outputs: { default: ['i'] } })
      .bolt('slow', {
        create: () => {
          const bolt = new RecordingBolt(
            async () => {
              events.push('slow:execute');
              if (executed++ === 0) {
                firstSeen.resolve();
                await gate.promise;
              }
            },
            { onFlush: (b) => (events.push('slow:flush'), b.collector.emit([executed])), onCleanup: () => events.push('slow:cleanup') },
          );
          bolt.onPrepare = () => events.push('slow:prepare');
          return bolt;
        },
        inputs: [{ from: 'src', grouping: shuffle() }],
        outputs: { default: ['count'] },
      })
      .bolt('sink', { create: collectInto(flushed), inputs: [{ from: 'slow', grouping: shuffle() }] })
      .build();
    const runtime = await startRuntime(t, def);
    await firstSeen.promise;
    const queued = runtime.stats().components.slow!.queued;
    assert.ok(queued > 0, 'tuples were queued when stop began');

    const stopping = runtime.stop();
    assert.equal(runtime.state, 'draining');
    gate.resolve();
    const report = await stopping;

    assert.deepEqual([report.forced, report.inFlight], [false, 0]);
    assert.equal(runtime.state, 'stopped');
    assert.ok(ledger.emitted < rows.length, 'stopped before the input ran out');
    assert.equal(executed, ledger.emitted, 'every emitted tuple was executed');
    assert.equal(ledger.acked.length, ledger.emitted, 'and acked');
    assert.deepEqual(flushed.map((f) => f.values), [[executed]], "the flush's output reached the sink before stop resolved");
    assert.deepEqual(runs(events), ['slow:prepare', 'src:open', 'src:activate', 'slow:execute', 'src:deactivate', 'slow:execute', 'slow:flush', 'src:close', 'slow:cleanup']);
  });

  test('a run that completed stops at once, without flushing twice', { timeout: 2000 }, async (t) => {
    let flushes = 0;
    const def = topology('completed')
      .spout('src', { create: () => new ListSpout(rows.slice(0, 10)), outputs: { default: ['i'] } })
      .bolt('sink', { create: () => new FnBolt(() => {}, { onFlush: () => void flushes++ }), inputs: [{ from: 'src', grouping: shuffle() }] })
      .build();
    const runtime = await startRuntime(t, def);
    await runtime.completion;
    assert.equal(flushes, 1);
    const report = await runtime.stop();
    assert.deepEqual([report.forced, report.inFlight, flushes], [false, 0, 1]);
  });
});

describe('forced stop', () => {
  test('an execute that never settles: stop returns forced at the deadline; a second stop returns the same promise', { timeout: 2000 }, async (t) => {
    const ledger = newLedger();
    const started = deferred();
    let cleanedUp = false;
    const def = topology('forced', { queueCapacity: 16, batchSize: 4 })
      .spout('src', { create: () => new ListSpout(rows, ledger), outputs: { default: ['i'] } })
      .bolt('stuck', {
        create: () => new FnBolt(() => (started.resolve(), new Promise<void>(() => {})), { onCleanup: () => (cleanedUp = true) }),
        inputs: [{ from: 'src', grouping: shuffle() }],
      })
      .build();
    const runtime = await startRuntime(t, def);
    await started.promise;

    const begin = performance.now();
    const first = runtime.stop({ timeoutMs: 200 });
    const second = runtime.stop({ timeoutMs: 5 });
    assert.equal(second, first);
    const report = await first;
    const took = performance.now() - begin;

    assert.equal(report.forced, true);
    assert.equal(report.inFlight, ledger.emitted, 'every emitted tree was still in flight');
    assert.ok(report.inFlight > 0);
    assert.ok(took >= 195, `stopped after ${took} ms, before the deadline`);
    assert.ok(took < 1000, `stopped after ${took} ms: the deadline was not kept`);
    assert.equal(await runtime.stop(), report);
    assert.equal(runtime.state, 'stopped');
    assert.deepEqual(ledger.calls, ['open', 'activate', 'deactivate', 'close']);
    assert.equal(cleanedUp, true);
    // Forgotten, not failed: their source replays them after a restart.
    assert.deepEqual([ledger.acked, ledger.failed], [[], []]);
    assert.equal(runtime.acker.pending, 0);
  });

  test('a close hook that never settles cannot hang stop', { timeout: 3000 }, async (t) => {
    class HangingCloseSpout extends ListSpout {
      override close(): Promise<void> {
        return new Promise(() => {});
      }
    }
    const def = topology('hanging-close')
      .spout('src', { create: () => new HangingCloseSpout(rows.slice(0, 5)), outputs: { default: ['i'] } })
      .bolt('sink', { create: collectInto([]), inputs: [{ from: 'src', grouping: shuffle() }] })
      .build();
    const runtime = await startRuntime(t, def);
    await runtime.completion;
    const report = await runtime.stop({ timeoutMs: 100 });
    assert.deepEqual([report.forced, report.inFlight], [false, 0]);
    assert.equal(runtime.state, 'stopped');
  });
});

describe('lifecycle states', () => {
  test('start twice is refused; stop before start is immediate and clean', async () => {
    const def = topology('states')
      .spout('src', { create: () => new ListSpout([]), outputs: { default: ['i'] } })
      .bolt('sink', { create: collectInto([]), inputs: [{ from: 'src', grouping: shuffle() }] })
      .build();
    const never = new TopologyRuntime({ topology: def });
    assert.equal(never.state, 'created');
    assert.deepEqual(await never.stop(), { forced: false, inFlight: 0, durationMs: 0 });
    assert.equal(never.state, 'stopped');
    await assert.rejects(never.start(), { code: ErrorCodes.COMPONENT_LIFECYCLE });

    const twice = new TopologyRuntime({ topology: def });
    await twice.start();
    await assert.rejects(twice.start(), { code: ErrorCodes.COMPONENT_LIFECYCLE, message: "runtime of 'states' was already started" });
    await twice.stop();
  });

  test('a prepare that throws fails the start with an error naming the component and task', async () => {
    const def = topology('bad-prepare')
      .spout('src', { create: () => new ListSpout([[1]]), outputs: { default: ['i'] } })
      .bolt('sink', {
        create: () => {
          const bolt = new RecordingBolt(() => {});
          bolt.onPrepare = () => {
            throw new Error('no database');
          };
          return bolt;
        },
        inputs: [{ from: 'src', grouping: shuffle() }],
      })
      .build();
    const runtime = new TopologyRuntime({ topology: def });
    await assert.rejects(runtime.start(), (e: { code?: string; component?: string; message?: string }) => {
      assert.equal(e.code, ErrorCodes.COMPONENT_LIFECYCLE);
      assert.equal(e.component, 'sink');
      assert.match(e.message!, /^prepare of 'sink' task \d+ failed: no database$/);
      return true;
    });
    assert.equal(runtime.state, 'failed');
    assert.deepEqual(await runtime.stop(), { forced: false, inFlight: 0, durationMs: 0 });
  });
});
