/** The spout inside the real engine, on an in-memory Kafka: async polls, acks, fails and shutdown. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type OutputCollector, TopologyRuntime, type Tuple, shuffle, topology } from '../../core/index.js';
import { FnBolt } from '../../test/fixtures/components.js';
import { KafkaSpout } from './kafka-spout.js';
import { MemoryKafkaSource } from './memory-source.js';
import { kafkaSpoutOutputs } from './outputs.js';
import { waitFor as waitUntil } from '../../test/support/wait.js';

const waitFor = (check: () => boolean, what: string) => waitUntil(check, { message: what, intervalMs: 5 });

describe('KafkaSpout in a TopologyRuntime', () => {
  it('delivers every record, retries failures, sends the hopeless ones to errors, and commits everything on stop', async () => {
    const source = new MemoryKafkaSource({ autoPump: true, batchSize: 50 });
    source.createTopic('t', 3);
    const n = 3000;
    for (let i = 0; i < n; i++) source.produce('t', i % 3, JSON.stringify({ i }));
    const seen = new Map<number, number>();
    const errors: unknown[][] = [];
    const failures = new Map<number, number>();
    const t = topology('kafka-memory', { maxSpoutPending: 500 })
      .spout('kafka', {
        parallelism: 1,
        create: () =>
          new KafkaSpout({ brokers: ['127.0.0.1:9092'], groupId: 'g', topics: ['t'], source: source.factory(), commitIntervalMs: 20, retry: { initialDelayMs: 1, maxDelayMs: 5, maxRetries: 2 } }),
        outputs: kafkaSpoutOutputs(),
      })
      .bolt('sink', {
        create: () =>
          new FnBolt(
            (tuple: Tuple, collector: OutputCollector) => {
              const i = (tuple.get('value') as { i: number }).i;
              const failed = failures.get(i) ?? 0;
              // Every 100th record fails once; every 1000th fails for good.
              if ((i % 100 === 0 && failed === 0) || i % 1000 === 0) {
                failures.set(i, failed + 1);
                collector.fail(tuple, `record ${i} is unlucky`);
                return;
              }
              seen.set(i, (seen.get(i) ?? 0) + 1);
              collector.ack(tuple);
            },
            { ackMode: 'manual' },
          ),
        inputs: [{ from: 'kafka', grouping: shuffle() }],
      })
      .bolt('errors', { create: () => new FnBolt((tuple) => void errors.push([...tuple.values])), inputs: [{ from: 'kafka', stream: 'errors', grouping: shuffle() }] })
      .build();
    const runtime = new TopologyRuntime({ topology: t });
    await runtime.start();
    await waitFor(() => seen.size + errors.length >= n, 'every record delivered or in errors');
    const report = await runtime.stop();
    assert.equal(report.forced, false);
    assert.equal(errors.length, 3, 'records 0, 1000 and 2000 exhaust their retries');
    for (const [value, reason, origin] of errors) {
      const i = (value as { i: number }).i;
      assert.equal(i % 1000, 0);
      assert.equal(failures.get(i), 3, 'one try and two retries');
      assert.match(String(reason), /^failed 3 times, no retries left \(maxRetries 2\); last failure: explicit in 'sink' task \d+: record \d+ is unlucky$/);
      assert.equal(origin, `t/${i % 3}@${Math.floor(i / 3)}`);
    }
    assert.equal(seen.size, n - 3);
    assert.ok([...seen.values()].every((c) => c === 1), 'no record was delivered twice');
    for (let p = 0; p < 3; p++) assert.equal(source.committed.get(`t/${p}`), n / 3, `partition ${p} committed to its end`);
    assert.equal(source.stopped, true);
  });
});
