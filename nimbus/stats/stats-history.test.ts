import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TaskNumbers } from '../../core/index.js';
import { componentRows } from './component-rows.js';
import { TopologyHistory } from './stats-history.js';

function task(component: string, id: number, n: Partial<TaskNumbers> = {}): TaskNumbers {
  return { component, task: id, kind: 'spout', emitted: 0, transferred: 0, errorRecords: 0, executed: 0, acked: 0, failed: {}, pending: 0, queued: 0, capacity: 0, executeSeconds: 0, throttledSeconds: {}, latency: {}, ...n };
}

describe('TopologyHistory', () => {
  it('keeps what a restarted worker had counted: totals only grow', () => {
    const h = new TopologyHistory();
    h.feed([{ worker: 'a:1', startedAt: 1, tasks: [task('src', 1, { acked: 100, failed: { error: 3 } })] }], 0);
    h.feed([{ worker: 'a:1', startedAt: 2, tasks: [task('src', 1, { acked: 10, failed: { timeout: 1 } })] }], 1000);
    const src = h.components().get('src')!;
    assert.equal(src.acked, 110);
    assert.deepEqual(src.failed, { error: 3, timeout: 1 });
  });

  it('gives counts within a window and current rates, as differences of snapshots', () => {
    const h = new TopologyHistory();
    for (let s = 0; s <= 700; s += 2) h.feed([{ worker: 'a:1', startedAt: 1, tasks: [task('src', 1, { emitted: s * 10, acked: s * 10 })] }], s * 1000);
    const tenMinutes = h.window('600');
    assert.equal(tenMinutes.seconds, 600);
    assert.equal(tenMinutes.components.get('src')!.acked, 6000);
    assert.equal(h.window(':all-time').components.get('src')!.acked, 7000);
    const rows = componentRows(h, [{ id: 'src', kind: 'spout', executors: 1, tasks: 1, inputs: [] }], '600', new Map());
    assert.equal(rows.spouts[0]!.ackRate, 10);
    assert.equal(rows.spouts[0]!.acked, 6000);
    // The spout stops: its current rate falls to zero once the rate window has passed.
    for (let s = 702; s <= 712; s += 2) h.feed([{ worker: 'a:1', startedAt: 1, tasks: [task('src', 1, { emitted: 7000, acked: 7000 })] }], s * 1000);
    assert.equal(componentRows(h, [{ id: 'src', kind: 'spout', executors: 1, tasks: 1, inputs: [] }], '600', new Map()).spouts[0]!.emitRate, 0);
    assert.ok(h.rates('src').length > 100);
  });
});
