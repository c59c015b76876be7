import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Harness, waitFor } from './spout-test-kit.js';

describe('Kafka spout per-partition metrics', () => {
  it('gauges each partition its committed offset and lag, labelled by topic and partition', async () => {
    const h = await new Harness({ partitions: 2, commitIntervalMs: 5, batchSize: 1 }).open();
    h.produce(0, ['1', '2', '3', '4']);
    h.produce(1, ['5', '6']);
    await h.pollUntil(() => h.ids().length >= 3, 'three records');
    const ids = h.ids();
    for (const id of ids.filter((i) => i.partition.partition === 0 && i.offset < 2)) h.spout.ack(id);
    await waitFor(() => h.source.committed.get('t/0') === 2, 'a commit of t/0 up to offset 2');
    const gauge = (name: string, partition: string) => h.counter(name, { topic: 't', partition });
    assert.equal(gauge('kafka_spout_partition_committed_offset', '0'), 2);
    assert.equal(gauge('kafka_spout_partition_committed_offset', '1'), 0, 't/1 has no ack yet: still at its start');
    // The per-partition lags add up to the task's total.
    assert.equal(gauge('kafka_spout_partition_lag_records', '0') + gauge('kafka_spout_partition_lag_records', '1'), h.counter('kafka_spout_lag_records'));
    await h.spout.close();
  });
});
