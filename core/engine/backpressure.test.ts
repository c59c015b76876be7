/** Flow control: bounded queues throttle their producers, maxSpoutPending caps a spout, and throttled time is counted. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { shuffle, topology } from '../index.js';
import { FnBolt, ListSpout, newLedger } from '../../test/fixtures/components.js';
import { metricValue, startRuntime } from '../../test/fixtures/harness.js';
import { Inbox, type Throttleable } from './inbox.js';
import { StreamSchema, TupleImpl } from './tuple-impl.js';

const schema = new StreamSchema('src', 'default', ['i']);
const tuple = (i: number) => new TupleImpl([i], schema, 1, 2);

describe('Inbox', () => {
  test('throttles its producers when full and releases them at half capacity', () => {
    const inbox = new Inbox(4);
    const [a, b]: Throttleable[] = [{ blockedBy: 0 }, { blockedBy: 0 }];
    let arrivals = 0;
    let drains = 0;
    inbox.onArrival = () => arrivals++;
    inbox.onDrained = () => drains++;
    inbox.addProducer(a!);
    for (let i = 0; i < 3; i++) inbox.push(tuple(i));
    assert.deepEqual([a!.blockedBy, arrivals], [0, 1]);
    inbox.push(tuple(3));
    assert.equal(a!.blockedBy, 1);
    inbox.addProducer(b!); // joins while full: throttled at once
    assert.equal(b!.blockedBy, 1);
    inbox.push(tuple(4)); // a producer mid-execute may overshoot; the queue never drops a tuple
    assert.deepEqual([inbox.size, inbox.highWater], [5, 5]);
    assert.equal(inbox.shift()!.values[0], 0);
    assert.equal(inbox.shift()!.values[0], 1);
    assert.deepEqual([a!.blockedBy, b!.blockedBy, drains], [1, 1, 0], 'still above the low-water mark');
    assert.equal(inbox.shift()!.values[0], 2);
    assert.deepEqual([a!.blockedBy, b!.blockedBy, drains], [0, 0, 1]);
    assert.deepEqual(inbox.drain().map((t) => t.values[0]), [3, 4]);
    assert.equal(inbox.load(), 0);
  });

  test('keeps FIFO order as its ring buffer wraps and grows', () => {
    const inbox = new Inbox(8);
    const out: number[] = [];
    let next = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 7; i++) inbox.push(tuple(next++));
      for (let i = 0; i < 5; i++) out.push(inbox.shift()!.values[0] as number);
    }
    for (let t = inbox.shift(); t !== undefined; t = inbox.shift()) out.push(t.values[0] as number);
    assert.deepEqual(out, Array.from({ length: next }, (_, i) => i));
  });
});

/** A ListSpout that records its tuples in flight each time it is polled. */
class PendingProbeSpout extends ListSpout {
  maxPendingWhenPolled = 0;
  maxPending = 0;
  #pending = () => this.ledger.emitted - this.ledger.acked.length - this.ledger.failed.length;
  override nextTuple(): void {
    this.maxPendingWhenPolled = Math.max(this.maxPendingWhenPolled, this.#pending());
    super.nextTuple();
    this.maxPending = Math.max(this.maxPending, this.#pending());
  }
}

/** A sink whose execute settles on the next turn of the event loop: slower than any spout. */
const slowSink = () => new FnBolt(() => new Promise<void>((resolve) => setImmediate(resolve)));

describe('backpressure', () => {
  test('a fast spout and a slow bolt: every queue stays within capacity plus one execute, and the spout waits', { timeout: 3000 }, async (t) => {
    const capacity = 16;
    const fanOut = 3;
    const rows = Array.from({ length: 400 }, (_, i) => [i]);
    const ledger = newLedger();
    const spout = new PendingProbeSpout(rows, ledger);
    const def = topology('backpressure', { queueCapacity: capacity, batchSize: 4, maxSpoutPending: 1000 })
      .spout('src', { create: () => spout, outputs: { default: ['i'] } })
      .bolt('split', {
        create: () =>
          new FnBolt((tu, c) => {
            for (let k = 0; k < fanOut; k++) c.emit([tu.get('i'), k]);
          }),
        inputs: [{ from: 'src', grouping: shuffle() }],
        outputs: { default: ['i', 'k'] },
      })
      .bolt('sink', { create: slowSink, inputs: [{ from: 'split', grouping: shuffle() }] })
      .build();
    const runtime = await startRuntime(t, def);
    await runtime.completion;

    const highWater = (component: string) => metricValue(runtime.metrics, 'squall_queue_high_water', { component });
    // The spout emits one tuple per poll and stops at capacity; split may add one execute's output.
    assert.ok(highWater('split') <= capacity, `split queue reached ${highWater('split')}`);
    assert.ok(highWater('sink') <= capacity + fanOut, `sink queue reached ${highWater('sink')}`);
    assert.ok(highWater('sink') >= capacity, 'the slow sink\'s queue did fill up');
    const throttled = (reason: string) => metricValue(runtime.metrics, 'squall_spout_throttled_seconds_total', { component: 'src', reason });
    assert.ok(throttled('backpressure') > 0, 'time throttled by backpressure was counted');
    assert.ok(spout.maxPending < 1000, 'maxSpoutPending played no part');
    assert.equal(ledger.acked.length, rows.length);
    assert.equal(runtime.stats().components.sink!.executed, rows.length * fanOut);
  });

  test('a spout is never polled with maxSpoutPending tuples in flight, and the wait is counted', { timeout: 3000 }, async (t) => {
    const maxSpoutPending = 8;
    const rows = Array.from({ length: 200 }, (_, i) => [i]);
    const ledger = newLedger();
    const spout = new PendingProbeSpout(rows, ledger);
    const def = topology('max-pending', { queueCapacity: 64, batchSize: 4, maxSpoutPending })
      .spout('src', { create: () => spout, outputs: { default: ['i'] } })
      // Acks come on timers, so the spout's own idle polls find it at its limit.
      .bolt('sink', { create: () => new FnBolt(() => new Promise<void>((resolve) => setTimeout(resolve, 1))), parallelism: 2, inputs: [{ from: 'src', grouping: shuffle() }] })
      .build();
    const runtime = await startRuntime(t, def);
    await runtime.completion;

    assert.ok(spout.maxPendingWhenPolled < maxSpoutPending, `polled with ${spout.maxPendingWhenPolled} in flight`);
    assert.equal(spout.maxPending, maxSpoutPending, 'the spout reached the limit');
    const throttled = (reason: string) => metricValue(runtime.metrics, 'squall_spout_throttled_seconds_total', { component: 'src', reason });
    assert.ok(throttled('max_pending') > 0, 'time throttled by max_pending was counted');
    assert.ok(metricValue(runtime.metrics, 'squall_queue_high_water', { component: 'sink' }) <= maxSpoutPending);
    assert.equal(ledger.acked.length, rows.length);
  });

  test('a wait that ends between two steps is counted too (acks landing just before the next poll)', { timeout: 2000 }, async (t) => {
    const ledger = newLedger();
    // Each ack lands on the turn before the next round, so no poll ever finds the spout at its limit.
    const def = topology('pinned', { queueCapacity: 64, batchSize: 4, maxSpoutPending: 8 })
      .spout('src', { create: () => new ListSpout(Array.from({ length: 200 }, (_, i) => [i]), ledger), outputs: { default: ['i'] } })
      .bolt('sink', { create: slowSink, inputs: [{ from: 'src', grouping: shuffle() }] })
      .build();
    const runtime = await startRuntime(t, def);
    await runtime.completion;
    assert.equal(ledger.acked.length, 200);
    assert.ok(metricValue(runtime.metrics, 'squall_spout_throttled_seconds_total', { component: 'src', reason: 'max_pending' }) > 0);
  });

  test('a spout that is never held back counts no throttled time', { timeout: 2000 }, async (t) => {
    const ledger = newLedger();
    const def = topology('unthrottled', { queueCapacity: 1024, batchSize: 256, maxSpoutPending: 1000 })
      .spout('src', { create: () => new ListSpout(Array.from({ length: 200 }, (_, i) => [i]), ledger), outputs: { default: ['i'] } })
      .bolt('sink', { create: slowSink, inputs: [{ from: 'src', grouping: shuffle() }] })
      .build();
    const runtime = await startRuntime(t, def);
    await runtime.completion;
    assert.equal(ledger.acked.length, 200);
    assert.equal(metricValue(runtime.metrics, 'squall_spout_throttled_seconds_total', { component: 'src' }), 0);
  });
});
