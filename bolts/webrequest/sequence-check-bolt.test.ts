import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MetricRegistry, nullLogger, type OutputCollector, type TopologyContext, type Tuple } from '../../core/index.js';
import { SequenceCheckBolt } from './sequence-check-bolt.js';
import type { SequenceStatsRow } from './sequence-stats.js';
import { SEQUENCE_FIELDS } from './streams.js';

function sequenceTuple(hostname: string, sequences: number[], times: (number | null)[]): Tuple {
  const values = [hostname, sequences, times];
  return { values, fields: SEQUENCE_FIELDS, sourceComponent: 'refine', sourceStream: 'sequence', sourceTask: 1, get: <T>(f: string) => values[SEQUENCE_FIELDS.indexOf(f as never)] as T, isTick: () => false };
}

async function checked(tuples: Tuple[]): Promise<SequenceStatsRow[]> {
  const rows: SequenceStatsRow[] = [];
  const collector: OutputCollector = {
    emit: (values) => void rows.push(values[0] as SequenceStatsRow),
    emitTo: () => {},
    emitDirect: () => {},
    ack: () => {},
    fail: () => {},
    reportError: (error) => assert.fail(String(error)),
  };
  const context = {
    topologyName: 'test', componentId: 'sequence-check', taskId: 1, taskIndex: 0, componentTasks: [1], config: { alertPercentLost: 100 }, logger: nullLogger,
    metrics: new MetricRegistry().group({ topology: 'test', component: 'sequence-check', task: '1' }), tasksOf: () => [1], outputFields: () => [],
  } as TopologyContext;
  const bolt = new SequenceCheckBolt();
  bolt.prepare(context, collector);
  for (const tuple of tuples) bolt.execute(tuple);
  bolt.flush('end-of-input');
  return rows;
}

const H10 = Date.UTC(2026, 10, 22, 10);
const H11 = Date.UTC(2026, 10, 22, 11);

test('a host’s batches of sequence numbers are counted per hour: losses, duplicates, and records without a time in their host’s last hour', async () => {
  const rows = await checked([
    sequenceTuple('cp1', [1, 2, 4], [H10 + 1, H10 + 2, H10 + 4]),
    sequenceTuple('cp2', [7], [H10 + 5]),
    // 5 has no time: it is counted in cp1's latest hour, 10, though cp2 is at 11 by then.
    sequenceTuple('cp2', [8], [H11 + 1]),
    sequenceTuple('cp1', [5, 5, 6], [null, H10 + 6, H11 + 2]),
  ]);
  const pick = (r: SequenceStatsRow) => [r.hostname, r.hour_start, r.min_sequence, r.max_sequence, r.count_actual, r.count_lost, r.count_duplicate, r.count_incomplete];
  assert.deepEqual(rows.map(pick).sort(), [
    ['cp1', H10, 1, 5, 5, 1, 1, 1],
    ['cp1', H11, 6, 6, 1, 0, 0, 0],
    ['cp2', H10, 7, 7, 1, 0, 0, 0],
    ['cp2', H11, 8, 8, 1, 0, 0, 0],
  ].sort());
});
