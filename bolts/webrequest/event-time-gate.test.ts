import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventTimePolicyOf, MetricRegistry, nullLogger } from '../../core/index.js';
import { waitFor } from '../../test/support/wait.js';
import { EventTimeGate } from './event-time-gate.js';

const H10 = Date.UTC(2026, 10, 22, 10);
const NOW = Date.UTC(2026, 10, 22, 14);

test('after a restart, the partitions read before hold the low watermark until each is read again: hours do not close on the partition read first', async () => {
  let saved: unknown = ['t/0', 't/1'];
  const store = { load: () => Promise.resolve(saved), save: (state: unknown) => ((saved = state), Promise.resolve()) };
  const policy = eventTimePolicyOf({ eventTimeReference: 'stream' });
  const gate = new EventTimeGate(policy, new MetricRegistry().group({}), nullLogger, store);
  await gate.restore(NOW);
  assert.equal(gate.admit('t/0', 'cp1', H10 + 2 * 3_600_000, NOW), undefined);
  assert.equal(gate.moved(NOW), undefined, 't/1 has not been read again yet: no watermark');
  assert.equal(gate.admit('t/1', 'cp2', H10 + 30 * 60_000, NOW), undefined);
  assert.equal(gate.moved(NOW), H10 + 30 * 60_000, 'the slowest partition, once read again');
  assert.equal(gate.admit('t/2', 'cp3', H10 + 3 * 3_600_000, NOW), undefined);
  gate.saveSources();
  await waitFor(() => (saved as string[]).length === 3, { message: 'the new partition to be remembered' });
  assert.deepEqual((saved as string[]).sort(), ['t/0', 't/1', 't/2']);

  const fresh = new EventTimeGate(policy, new MetricRegistry().group({}), nullLogger);
  await fresh.restore(NOW);
  fresh.admit('t/0', 'cp1', H10 + 2 * 3_600_000, NOW);
  assert.equal(fresh.moved(NOW), H10 + 2 * 3_600_000, 'without a store, nothing is expected (files, the generator)');
});
