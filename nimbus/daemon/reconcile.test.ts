import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Assignment, SupervisorRecord, TopologyRecord, WorkerBeat } from '../../worker/index.js';
import { type ReconcileInput, deadSlots, reconcile } from './reconcile.js';

const sup = (id: string, slots = [6700, 6701]): SupervisorRecord => ({ id, host: '127.0.0.1', slots, cpu: 800, memoryMb: 8192, startedAt: 0 });
const record: TopologyRecord = {
  id: 't-1',
  name: 't',
  status: 'active',
  workers: 2,
  executors: {},
  components: [
    { id: 'a', kind: 'spout', parallelism: 2, tasks: 2, cpu: 10, memoryMb: 128 },
    { id: 'b', kind: 'bolt', parallelism: 2, tasks: 2, cpu: 10, memoryMb: 128 },
  ],
  bundle: 'x',
  config: {},
  launchedAt: 0,
};
// Executors a[1-1] a[2-2] b[3-3] b[4-4], two on each supervisor.
const assignment: Assignment = {
  topologyId: 't-1',
  epoch: 3,
  assignedAt: 1_000,
  executors: { 'a[1-1]': { supervisor: 's1', port: 6700 }, 'b[3-3]': { supervisor: 's1', port: 6700 }, 'a[2-2]': { supervisor: 's2', port: 6700 }, 'b[4-4]': { supervisor: 's2', port: 6700 } },
};
const beat = (worker: string, time: number, epoch = 3): WorkerBeat => ({ worker, epoch, time, components: {}, pending: 0 });
const timeouts = { workerTimeoutMs: 10_000, workerStartTimeoutMs: 60_000 };
const input = (over: Partial<ReconcileInput>): ReconcileInput => ({
  record,
  assignment,
  supervisors: [sup('s1'), sup('s2')],
  beats: new Map([['s1-6700', beat('s1:6700', 100_000)], ['s2-6700', beat('s2:6700', 100_000)]]),
  taken: new Set(),
  used: new Map(),
  now: 101_000,
  timeouts,
  ...over,
});

describe('reconcile', () => {
  it('keeps an assignment whose workers beat', () => {
    assert.deepEqual(reconcile(input({})), { kind: 'keep' });
  });

  it('moves the executors of a supervisor that is gone, and keeps the others where they are', () => {
    const d = reconcile(input({ supervisors: [sup('s1')] }));
    assert.equal(d.kind, 'assign');
    if (d.kind !== 'assign') return;
    assert.match(d.why, /supervisor s2 is gone/);
    assert.deepEqual(d.placement['a[1-1]'], { supervisor: 's1', port: 6700 });
    assert.deepEqual(d.placement['a[2-2]'], { supervisor: 's1', port: 6701 });
    assert.equal(d.basedOn, 3);
  });

  it('takes a worker whose beats stopped for dead, even within the start grace once it has beaten under this epoch', () => {
    const beats = new Map([['s1-6700', beat('s1:6700', 100_000)], ['s2-6700', beat('s2:6700', 80_000)]]);
    assert.deepEqual([...deadSlots({ assignment: { ...assignment, assignedAt: 79_000 }, supervisors: [sup('s1'), sup('s2')], beats, now: 101_000, timeouts }).keys()], ['s2:6700']);
  });

  it('gives a worker that has not beaten under this epoch the start grace, and no more', () => {
    const beats = new Map([['s1-6700', beat('s1:6700', 100_000)], ['s2-6700', beat('s2:6700', 100_000, 2)]]);
    assert.equal(deadSlots({ assignment: { ...assignment, assignedAt: 50_000 }, supervisors: [sup('s1'), sup('s2')], beats, now: 101_000, timeouts }).size, 0);
    assert.deepEqual([...deadSlots({ assignment: { ...assignment, assignedAt: 30_000 }, supervisors: [sup('s1'), sup('s2')], beats, now: 101_000, timeouts }).values()], ['worker s2:6700 never beat under epoch 3']);
  });

  it('runs on fewer workers when slots are short, and does not reassign again while it stays short', () => {
    const one = [sup('s1', [6700])];
    const d = reconcile(input({ supervisors: one }));
    assert.equal(d.kind, 'assign');
    if (d.kind !== 'assign') return;
    assert.match(d.why, /on 1 of the 2 workers wanted/);
    assert.ok(Object.values(d.placement).every((p) => p.supervisor === 's1' && p.port === 6700));
    const after: Assignment = { ...assignment, epoch: 4, executors: d.placement };
    assert.deepEqual(reconcile(input({ supervisors: one, assignment: after, beats: new Map([['s1-6700', beat('s1:6700', 100_000, 4)]]) })), { kind: 'keep' });
  });

  it('places a rebalanced count of workers and executors', () => {
    const d = reconcile(input({ record: { ...record, workers: 3, executors: { b: 1 } } }));
    assert.equal(d.kind, 'assign');
    if (d.kind !== 'assign') return;
    assert.deepEqual(Object.keys(d.placement).sort(), ['a[1-1]', 'a[2-2]', 'b[3-4]']);
    assert.equal(new Set(Object.values(d.placement).map((p) => `${p.supervisor}:${p.port}`)).size, 3);
  });
});
