import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger, MetricRegistry, type OutputCollector, type TopologyContext, type Tuple } from '../../core/index.js';
import type { CheckpointStore } from './checkpoint-store.js';
import { SequenceCheckBolt } from './sequence-check-bolt.js';
import type { SequenceStatsRow } from './sequence-stats.js';
import type { SequenceStatsOutput } from './sequence-stats-output.js';
import { SEQUENCE_FIELDS } from './streams.js';

const H10 = Date.UTC(2026, 10, 22, 10);
const H11 = Date.UTC(2026, 10, 22, 11);

/** One refine batch's facts of one host: `[sequence, time, offset]` triples from partition `p0`. */
function sequenceTuple(hostname: string, records: readonly (readonly [number, number | null, number])[]): Tuple {
  const values = [hostname, records.map((r) => r[0]), records.map((r) => r[1]), records.map(() => 'requests/0'), records.map((r) => r[2])];
  return { values, fields: SEQUENCE_FIELDS, sourceComponent: 'refine', sourceStream: 'sequence', sourceTask: 1, get: <T>(f: string) => values[SEQUENCE_FIELDS.indexOf(f as never)] as T, isTick: () => false };
}
const tick = { values: [], fields: [], sourceComponent: '__system', sourceStream: '__tick', sourceTask: -1, get: () => undefined, isTick: () => true } as unknown as Tuple;

/** What outlives a bolt: its checkpoint and its files. */
class Disk implements CheckpointStore, SequenceStatsOutput {
  saved: string | undefined;
  files = new Map<number, SequenceStatsRow[]>();
  failSave = false;
  async load(): Promise<unknown> {
    return this.saved === undefined ? undefined : JSON.parse(this.saved);
  }
  async save(state: unknown): Promise<void> {
    if (this.failSave) throw new Error('disk full');
    this.saved = JSON.stringify(state);
  }
  async write(hour: number, rows: readonly SequenceStatsRow[]): Promise<void> {
    this.files.set(hour, [...rows]);
  }
  rows(): SequenceStatsRow[] {
    return [...this.files.values()].flat();
  }
}

async function started(disk: Disk, config: Record<string, unknown> = {}) {
  const acked: Tuple[] = [];
  const failed: Tuple[] = [];
  const warnings: string[] = [];
  const collector: OutputCollector = {
    emit: () => {}, emitTo: () => {}, emitDirect: () => {},
    ack: (t) => void acked.push(t), fail: (t) => void failed.push(t), reportError: (error) => assert.fail(String(error)),
  };
  const logger = createLogger((r) => void (r.level === 'warn' && warnings.push(r.message)), 'info');
  const context = {
    topologyName: 'test', componentId: 'sequence-check', taskId: 1, taskIndex: 0, componentTasks: [1], config: { alertPercentLost: 100, maxSpoutPending: 8, ...config }, logger,
    metrics: new MetricRegistry().group({ topology: 'test', component: 'sequence-check', task: '1' }), tasksOf: () => [1], outputFields: () => [],
  } as unknown as TopologyContext;
  const bolt = new SequenceCheckBolt({ checkpoints: () => disk, output: () => disk });
  await bolt.prepare(context, collector);
  return { bolt, acked, failed, warnings };
}

const pick = (r: SequenceStatsRow) => [r.hostname, r.hour_start, r.count_actual, r.count_expected, r.count_lost, r.count_duplicate, r.count_incomplete, r.count_resets];

test('per host and hour across batches: a gap at the hour boundary, a duplicate line, a record without a time in its host’s latest hour', async () => {
  const disk = new Disk();
  const { bolt } = await started(disk);
  await bolt.execute(sequenceTuple('cp1', [[1, H10 + 1, 1], [2, H10 + 2, 2], [4, H10 + 4, 3]]));
  await bolt.execute(sequenceTuple('cp2', [[7, H10 + 5, 4]]));
  await bolt.execute(sequenceTuple('cp2', [[9, H11 + 1, 5]]));
  await bolt.execute(sequenceTuple('cp1', [[5, null, 6], [5, H10 + 6, 7], [6, H11 + 2, 8]]));
  await bolt.flush('end-of-input');
  assert.deepEqual(disk.rows().map(pick).sort(), [
    ['cp1', H10, 5, 5, 1, 1, 1, 0],
    ['cp1', H11, 1, 1, 0, 0, 0, 0],
    ['cp2', H10, 1, 1, 0, 0, 0, 0],
    ['cp2', H11, 1, 2, 1, 0, 0, 0],
  ].sort());
});

test('a replayed record (same source position) is not counted again; the same line at another position is a duplicate', async () => {
  const disk = new Disk();
  const { bolt } = await started(disk);
  await bolt.execute(sequenceTuple('cp1', [[1, H10, 1], [2, H10, 2], [3, H10, 3]]));
  await bolt.execute(sequenceTuple('cp1', [[2, H10, 2], [3, H10, 3]]));
  await bolt.execute(sequenceTuple('cp1', [[3, H10, 4], [4, H10, 5]]));
  await bolt.flush('end-of-input');
  assert.deepEqual(disk.rows().map(pick), [['cp1', H10, 5, 4, 0, 1, 0, 0]]);
});

test('tuples are acked only once a checkpoint holds them; a failed checkpoint fails them and undoes what they counted', async () => {
  const disk = new Disk();
  const { bolt, acked, failed } = await started(disk);
  const first = sequenceTuple('cp1', [[1, H10, 1]]);
  await bolt.execute(first);
  assert.equal(acked.length, 0);
  await bolt.execute(tick);
  assert.deepEqual(acked, [first]);
  disk.failSave = true;
  const second = sequenceTuple('cp1', [[2, H10, 2]]);
  await bolt.execute(second);
  await bolt.execute(tick);
  assert.deepEqual(failed, [second]);
  disk.failSave = false;
  await bolt.execute(second);
  await bolt.flush('end-of-input');
  assert.deepEqual(disk.rows().map(pick), [['cp1', H10, 2, 2, 0, 0, 0, 0]], 'the replay after the failed checkpoint is counted once');
});

test('a restarted task resumes from its checkpoint: a gap across the restart and the hour boundary is counted, re-read records are not', async () => {
  const disk = new Disk();
  const one = await started(disk);
  await one.bolt.execute(sequenceTuple('cp1', [[1, H10, 1], [2, H10, 2], [3, H10 + 1, 3]]));
  await one.bolt.execute(tick);
  // Gone without a flush; the next run reads its input from the start.
  const two = await started(disk);
  await two.bolt.execute(sequenceTuple('cp1', [[1, H10, 1], [2, H10, 2], [3, H10 + 1, 3]]));
  await two.bolt.execute(sequenceTuple('cp1', [[5, H11, 4], [6, H11, 5]]));
  await two.bolt.flush('end-of-input');
  assert.deepEqual(disk.rows().map(pick), [['cp1', H10, 3, 3, 0, 0, 0, 0], ['cp1', H11, 2, 3, 1, 0, 0, 0]]);
});

test('a counter restart is one reset and one warning naming the host; the thresholds come from config', async () => {
  const disk = new Disk();
  const { bolt, warnings } = await started(disk, { sequenceResetDrop: 10 });
  await bolt.execute(sequenceTuple('cp1', Array.from({ length: 50 }, (_, i) => [i + 1, H10, i + 1] as const)));
  await bolt.execute(sequenceTuple('cp1', Array.from({ length: 20 }, (_, i) => [i + 1, H10, i + 51] as const)));
  await bolt.flush('end-of-input');
  assert.deepEqual(disk.rows().map(pick), [['cp1', H10, 70, 70, 0, 0, 0, 1]]);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /cp1's sequence counter restarted \(from 50 to 1\)/);
  await assert.rejects(started(new Disk(), { sequenceResetJump: -1 }), /sequenceResetJump must be a whole number/);
});

test('hours close by the low watermark from refine, on the slowest refine task, not by the records’ times; a record of a closed hour is late', async () => {
  const disk = new Disk();
  const acked: Tuple[] = [];
  const collector: OutputCollector = { emit: () => {}, emitTo: () => {}, emitDirect: () => {}, ack: (t) => void acked.push(t), fail: () => assert.fail('nothing fails'), reportError: (error) => assert.fail(String(error)) };
  const context = {
    topologyName: 'test', componentId: 'sequence-check', taskId: 1, taskIndex: 0, componentTasks: [1], config: { alertPercentLost: 100, maxSpoutPending: 1_000_000, allowedLatenessMs: 60_000 }, logger: createLogger(() => {}, 'info'),
    metrics: new MetricRegistry().group({ topology: 'test', component: 'sequence-check', task: '1' }), tasksOf: (c: string) => (c === 'refine' ? [7, 8] : [1]), outputFields: () => [],
  } as unknown as TopologyContext;
  const bolt = new SequenceCheckBolt({ checkpoints: () => disk, output: () => disk });
  await bolt.prepare(context, collector);
  const watermark = (task: number, time: number) => ({ values: [time], fields: ['watermark'], sourceComponent: 'refine', sourceStream: 'watermark', sourceTask: task, get: () => time, isTick: () => false }) as unknown as Tuple;
  await bolt.execute(sequenceTuple('cp1', [[1, H10 + 1, 1], [2, H11 + 40 * 60_000, 2]]));
  await bolt.execute(tick);
  assert.equal(disk.files.size, 0, 'a record far into hour 11 does not close hour 10');
  await bolt.execute(watermark(7, H11 + 120_000));
  await bolt.execute(watermark(8, H11 + 59_999));
  assert.equal(disk.files.size, 0, 'the slowest task is short of the hour end plus the allowed lateness');
  await bolt.execute(watermark(8, H11 + 60_000));
  assert.deepEqual(disk.rows().map(pick), [['cp1', H10, 1, 1, 0, 0, 0, 0]], 'hour 10 closes once both tasks passed 11:01');
  await bolt.execute(sequenceTuple('cp1', [[3, H10 + 2, 3]]));
  await bolt.flush('end-of-input');
  const h11 = disk.rows().find((r) => r.hour_start === H11)!;
  assert.deepEqual([h11.count_actual, h11.count_late], [2, 1], 'the record of the closed hour 10 is counted late in hour 11');
});
