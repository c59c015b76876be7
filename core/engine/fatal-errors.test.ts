/** A spout that reports a fatal error: the runtime's failure says who and why, once. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SquallError, computeLayout, shuffle, topology, type Spout, type SpoutOutputCollector } from '../index.js';
import { collectInto } from '../../test/fixtures/components.js';
import { metricValue, startRuntime } from '../../test/fixtures/harness.js';

/** Emits three tuples, then finds its source gone for good (twice: only the first counts as the failure). */
class BrokenSourceSpout implements Spout {
  #collector!: SpoutOutputCollector;
  #sent = 0;
  open(_context: unknown, collector: SpoutOutputCollector): void {
    this.#collector = collector;
  }
  nextTuple(): void {
    if (this.#sent < 3) this.#collector.emit([this.#sent++], this.#sent);
    else if (this.#sent++ === 3) {
      this.#collector.reportFatalError(new SquallError('E_SOURCE_GONE', 'the source cannot be read: codec missing'));
      this.#collector.reportFatalError(new Error('a second fatal error'));
    }
  }
}

test('reportFatalError resolves runtime.failure with the first fatal error, kept and counted', { timeout: 2000 }, async (t) => {
  const got: unknown[] = [];
  const def = topology('fatal')
    .spout('src', { create: () => new BrokenSourceSpout(), outputs: { default: ['i'] } })
    .bolt('sink', { create: collectInto(got as never), inputs: [{ from: 'src', grouping: shuffle() }] })
    .build();
  const srcTask = computeLayout(def).tasksOf.get('src')![0]!;
  const runtime = await startRuntime(t, def);
  const failure = await runtime.failure;
  assert.deepEqual([failure.component, failure.task, failure.message, failure.code], ['src', srcTask, 'the source cannot be read: codec missing', 'E_SOURCE_GONE']);
  assert.deepEqual(runtime.lastErrors().get('src')!.map((e) => e.message), ['the source cannot be read: codec missing', 'a second fatal error']);
  assert.equal(metricValue(runtime.metrics, 'squall_fatal_errors_total', { component: 'src' }), 2);
  assert.equal(metricValue(runtime.metrics, 'squall_errors_total', { component: 'src' }), 2);
  const report = await runtime.stop();
  assert.deepEqual([report.forced, report.inFlight, got.length], [false, 0, 3]);
});
