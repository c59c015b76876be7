/**
 * The Kafka spout against the real broker of infra/ (127.0.0.1:$SQUALL_KAFKA_PORT, default 9092),
 * inside a TopologyRuntime: delivery from a multi-partition topic, commits equal to the end
 * offsets, no re-delivery after a restart, retries and the errors stream, malformed JSON and
 * Avro, a rebalance between two topologies of one group, and startOffsets.
 *
 * Only Kafka is needed: `bash infra/kafka.sh up`. If it is not reachable every test fails, naming
 * the command, rather than being skipped.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import avro from 'avsc';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { type Bolt, type LogRecord, type OutputCollector, TopologyRuntime, type Tuple, createLogger, shuffle, topology } from '../../core/index.js';
import { KafkaSpout, type KafkaSpoutOptions, ensureTopic, kafkaSpoutOutputs, produceLines } from '../../spouts/kafka/index.js';
import { infraSettings, uniqueGroupId, uniqueTopic, waitFor } from '../support/index.js';

const brokers = infraSettings.kafka.brokers;
const TIMEOUT = { timeout: 180_000 };

let admin: Admin;
const runtimes: TopologyRuntime[] = [];
const warnings: LogRecord[] = [];
const logger = createLogger((r) => void warnings.push(r), 'warn');

before(async () => {
  admin = new Kafka({ brokers: [...brokers], clientId: 'squall-test-admin', logLevel: logLevel.NOTHING, retry: { retries: 2, initialRetryTime: 200 } }).admin();
  try {
    await admin.connect();
    await admin.listTopics();
  } catch (error) {
    throw new Error(`Kafka is not reachable at ${brokers.join(', ')} (${(error as Error).message}): start it with 'bash infra/kafka.sh up'`, { cause: error });
  }
});

after(async () => {
  await Promise.all(runtimes.map((r) => r.stop({ timeoutMs: 2000 })));
  await admin?.disconnect();
});

/** Where a record came from, as `topic/partition@offset`. */
const originOfTuple = (t: Tuple) => `${t.get('topic')}/${t.get('partition')}@${t.get('offset')}`;

interface Sink {
  /** Origins delivered to the record bolt, in arrival order (duplicates kept). */
  readonly delivered: string[];
  readonly values: Map<string, unknown>;
  /** `[value, reason, origin]` of each errors tuple. */
  readonly errors: unknown[][];
}

const newSink = (): Sink => ({ delivered: [], values: new Map(), errors: [] });

/** A bolt that records its tuples; `failIf` fails a tuple instead, with a reason. */
function recordingBolt(sink: Sink, failIf?: (t: Tuple) => string | undefined): () => Bolt {
  return () => {
    let collector!: OutputCollector;
    return {
      ackMode: 'manual',
      prepare: (_c, out) => void (collector = out),
      execute: (t) => {
        const why = failIf?.(t);
        if (why !== undefined) {
          collector.fail(t, why);
          return;
        }
        sink.delivered.push(originOfTuple(t));
        sink.values.set(originOfTuple(t), t.get('value'));
        collector.ack(t);
      },
    };
  };
}

/** Starts KafkaSpout → record bolt (+ an errors bolt), registered for cleanup. */
async function startTopology(
  name: string,
  spout: Omit<KafkaSpoutOptions, 'brokers'>,
  sink: Sink,
  options: { parallelism?: number; failIf?: (t: Tuple) => string | undefined } = {},
): Promise<TopologyRuntime> {
  const t = topology(name, { maxSpoutPending: 2000, messageTimeoutMs: 30_000 })
    .spout('kafka', {
      parallelism: options.parallelism ?? 1,
      create: () => new KafkaSpout({ brokers, heartbeatIntervalMs: 500, sessionTimeoutMs: 10_000, commitIntervalMs: 500, ...spout }),
      outputs: kafkaSpoutOutputs(),
    })
    .bolt('records', { create: recordingBolt(sink, options.failIf), inputs: [{ from: 'kafka', grouping: shuffle() }] })
    .bolt('errors', {
      create: () => ({ execute: (t: Tuple) => void sink.errors.push([...t.values]) }),
      inputs: [{ from: 'kafka', stream: 'errors', grouping: shuffle() }],
    })
    .build();
  const runtime = new TopologyRuntime({ topology: t, logger });
  runtimes.push(runtime);
  await runtime.start();
  return runtime;
}

/** The group's committed offset and the end offset of every partition of `topic`. */
async function offsets(groupId: string, topic: string): Promise<{ committed: Record<number, string>; end: Record<number, string> }> {
  const [group] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const committed = Object.fromEntries(group!.partitions.map((p) => [p.partition, p.offset]));
  const end = Object.fromEntries((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p.high]));
  return { committed, end };
}

async function stop(runtime: TopologyRuntime): Promise<void> {
  const report = await runtime.stop();
  assert.equal(report.forced, false, `the runtime stopped by force with ${report.inFlight} tuples in flight`);
}

describe('KafkaSpout on a real broker', () => {
  it('delivers every record of a 4-partition topic, commits the end offsets, and re-delivers nothing after a restart', TIMEOUT, async () => {
    const topic = uniqueTopic('kafka-spout-delivery');
    const groupId = uniqueGroupId('kafka-spout-delivery');
    await ensureTopic(brokers, topic, { partitions: 4 });
    const n = 4000;
    const report = await produceLines(brokers, topic, (function* () {
      for (let i = 0; i < n; i++) yield { value: JSON.stringify({ i }), partition: i % 4, key: `k${i}` };
    })(), { batchSize: 500 });
    assert.equal(report.records, n);

    const first = newSink();
    // A small buffer and uncommitted limit make the spout pause, leave records in fetched
    // batches, resume and commit under pressure many times over.
    const spout = { groupId, topics: [topic], maxBufferedRecords: 64, maxUncommittedOffsets: 300 };
    const runtime = await startTopology('kafka-delivery', spout, first, { parallelism: 2 });
    await waitFor(() => new Set(first.delivered).size === n, { timeoutMs: 90_000, message: `${n} distinct records` });
    await stop(runtime);
    const expected = new Set(Array.from({ length: n }, (_, i) => `${topic}/${i % 4}@${Math.floor(i / 4)}`));
    assert.deepEqual(new Set(first.delivered), expected);
    assert.deepEqual(first.values.get(`${topic}/3@999`), { i: 3999 });
    assert.deepEqual(first.errors, []);
    const afterFirst = await offsets(groupId, topic);
    assert.deepEqual(afterFirst.committed, afterFirst.end, 'committed offsets equal the end offsets');

    await produceLines(brokers, topic, ['{"late":0}', '{"late":1}', '{"late":2}', '{"late":3}'].map((value, p) => ({ value, partition: p })));
    const second = newSink();
    const again = await startTopology('kafka-delivery-2', spout, second);
    await waitFor(() => second.delivered.length >= 4, { timeoutMs: 60_000, message: 'the 4 new records' });
    await stop(again);
    assert.deepEqual(second.delivered.sort(), [0, 1, 2, 3].map((p) => `${topic}/${p}@1000`), 'only the new records, nothing already acked');
    const afterSecond = await offsets(groupId, topic);
    assert.deepEqual(afterSecond.committed, afterSecond.end);
  });

  it('retries failed tuples until they pass, and after maxRetries sends them to errors with the reason', TIMEOUT, async () => {
    const topic = uniqueTopic('kafka-spout-retries');
    const groupId = uniqueGroupId('kafka-spout-retries');
    await ensureTopic(brokers, topic, { partitions: 2 });
    const n = 200;
    await produceLines(brokers, topic, Array.from({ length: n }, (_, i) => ({ value: JSON.stringify({ i }), partition: i % 2 })));
    const attempts = new Map<number, number>();
    const sink = newSink();
    const runtime = await startTopology('kafka-retries', { groupId, topics: [topic], retry: { initialDelayMs: 20, multiplier: 2, maxDelayMs: 200, maxRetries: 2 } }, sink, {
      failIf: (t) => {
        const i = (t.get('value') as { i: number }).i;
        const seen = (attempts.get(i) ?? 0) + 1;
        attempts.set(i, seen);
        if (i % 50 === 0) return `record ${i} is poison`;
        if (i % 10 === 0 && seen === 1) return `record ${i} hit a transient error`;
        return undefined;
      },
    });
    await waitFor(() => new Set(sink.delivered).size === n - 4 && sink.errors.length === 4, { timeoutMs: 60_000, message: 'every record delivered or in errors' });
    await stop(runtime);
    for (let i = 10; i < n; i += 10) if (i % 50 !== 0) assert.equal(attempts.get(i), 2, `record ${i} passed on its first retry`);
    const poison = sink.errors.sort((a, b) => (a[0] as { i: number }).i - (b[0] as { i: number }).i);
    assert.deepEqual(poison.map((e) => e[0]), [{ i: 0 }, { i: 50 }, { i: 100 }, { i: 150 }]);
    for (const [value, reason, origin] of poison) {
      const i = (value as { i: number }).i;
      assert.equal(attempts.get(i), 3, `record ${i} was tried once and retried twice`);
      assert.match(String(reason), new RegExp(`^failed 3 times, no retries left \\(maxRetries 2\\); last failure: explicit in 'records' task \\d+: record ${i} is poison$`));
      assert.equal(origin, `${topic}/${i % 2}@${Math.floor(i / 2)}`);
    }
    const { committed, end } = await offsets(groupId, topic);
    assert.deepEqual(committed, end, 'records in errors count as done');
  });

  it('sends bad JSON, truncated Avro and empty messages to errors with offsets and reasons, and delivers every good record around them', TIMEOUT, async () => {
    const jsonTopic = uniqueTopic('kafka-spout-bad-json');
    const avroTopic = uniqueTopic('kafka-spout-bad-avro');
    const groupId = uniqueGroupId('kafka-spout-malformed');
    await ensureTopic(brokers, jsonTopic, { partitions: 1 });
    await ensureTopic(brokers, avroTopic, { partitions: 1 });
    const type = avro.Type.forSchema({ type: 'record', name: 'Hit', fields: [{ name: 'host', type: 'string' }, { name: 'n', type: 'long' }] });
    const good = (n: number) => type.toBuffer({ host: 'en.wikipedia.org', n });
    await produceLines(brokers, jsonTopic, ['{"n":0}', '{"n":1', '{"n":2}', '', '{"n":4}', 'not json', '{"n":6}']);
    await produceLines(brokers, avroTopic, [good(0), good(1).subarray(0, 4), good(2), Buffer.alloc(0), good(4)]);

    const json = newSink();
    const jsonRuntime = await startTopology('kafka-bad-json', { groupId, topics: [jsonTopic] }, json);
    const avroSink = newSink();
    const avroRuntime = await startTopology('kafka-bad-avro', { groupId: `${groupId}-avro`, topics: [avroTopic], valueFormat: { avro: type } }, avroSink);
    await waitFor(() => json.delivered.length + json.errors.length === 7 && avroSink.delivered.length + avroSink.errors.length === 5, {
      timeoutMs: 60_000,
      message: 'every record delivered or in errors',
    });
    await Promise.all([stop(jsonRuntime), stop(avroRuntime)]);

    assert.deepEqual(json.delivered.sort(), [0, 2, 4, 6].map((o) => `${jsonTopic}/0@${o}`));
    assert.deepEqual([...json.values.values()].map((v) => (v as { n: number }).n).sort(), [0, 2, 4, 6]);
    const jsonErrors = json.errors.map(([value, reason, origin]) => [origin, String(reason), value]).sort();
    assert.equal(jsonErrors.length, 3);
    assert.equal(jsonErrors[0]![0], `${jsonTopic}/0@1`);
    assert.match(jsonErrors[0]![1] as string, /^invalid JSON \(.+\) in 6 bytes starting "\{\\"n\\":1"$/);
    assert.deepEqual(jsonErrors[0]![2], Buffer.from('{"n":1'));
    assert.deepEqual(jsonErrors[1]!.slice(0, 2), [`${jsonTopic}/0@3`, 'empty message: JSON needs at least one byte']);
    assert.equal(jsonErrors[2]![0], `${jsonTopic}/0@5`);
    assert.match(jsonErrors[2]![1] as string, /^invalid JSON/);

    assert.deepEqual(avroSink.delivered.sort(), [0, 2, 4].map((o) => `${avroTopic}/0@${o}`));
    assert.deepEqual({ ...(avroSink.values.get(`${avroTopic}/0@2`) as object) }, { host: 'en.wikipedia.org', n: 2 });
    const avroErrors = avroSink.errors.map(([, reason, origin]) => [origin, reason]).sort();
    assert.deepEqual(avroErrors, [
      [`${avroTopic}/0@1`, 'invalid Avro for Hit (truncated buffer) in 4 bytes'],
      [`${avroTopic}/0@3`, 'empty message: Avro (Hit) needs at least one byte'],
    ]);
    for (const [g, topic] of [[groupId, jsonTopic], [`${groupId}-avro`, avroTopic]] as const) {
      const { committed, end } = await offsets(g, topic);
      assert.deepEqual(committed, end, `${topic}: bad records commit too`);
    }
  });

  it('survives a rebalance between two topologies of one group: every record delivered, the end committed', TIMEOUT, async () => {
    const topic = uniqueTopic('kafka-spout-rebalance');
    const groupId = uniqueGroupId('kafka-spout-rebalance');
    await ensureTopic(brokers, topic, { partitions: 4 });
    const n = 2000;
    const lines = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => ({ value: JSON.stringify({ i: from + k }), partition: (from + k) % 4 }));
    await produceLines(brokers, topic, lines(0, n / 2));
    const a = newSink();
    const b = newSink();
    const spout = { groupId, topics: [topic] };
    const runtimeA = await startTopology('kafka-rebalance-a', spout, a);
    await waitFor(() => a.delivered.length > 0, { timeoutMs: 60_000, message: 'A to start reading' });
    const runtimeB = await startTopology('kafka-rebalance-b', spout, b);
    await produceLines(brokers, topic, lines(n / 2, n));
    await waitFor(() => b.delivered.length > 0, { timeoutMs: 60_000, message: 'B to be assigned partitions and read' });
    await stop(runtimeA);
    await waitFor(() => new Set([...a.delivered, ...b.delivered]).size === n, { timeoutMs: 90_000, message: `${n} distinct records over A and B` });
    await stop(runtimeB);
    const { committed, end } = await offsets(groupId, topic);
    assert.deepEqual(committed, end);
    const rebalanceWarnings = warnings.filter((w) => /commit/.test(w.message) && !/rebalanc|generation|member/i.test(w.message));
    assert.deepEqual(rebalanceWarnings.map((w) => w.message), [], 'no commit failure other than those a rebalance explains');
  });

  it('keeps memory bounded when downstream stalls: the buffer stays within its size and partitions pause until it drains', TIMEOUT, async () => {
    const topic = uniqueTopic('kafka-spout-stall');
    const groupId = uniqueGroupId('kafka-spout-stall');
    await ensureTopic(brokers, topic, { partitions: 2 });
    const n = 3000;
    await produceLines(brokers, topic, Array.from({ length: n }, (_, i) => ({ value: JSON.stringify({ i }), partition: i % 2 })));
    const held: { tuple: Tuple; collector: OutputCollector }[] = [];
    let released = false;
    const delivered = new Set<string>();
    const t = topology('kafka-stall', { maxSpoutPending: 100, batchSize: 32 })
      .spout('kafka', { create: () => new KafkaSpout({ brokers, groupId, topics: [topic], maxBufferedRecords: 50 }), outputs: kafkaSpoutOutputs() })
      .bolt('held', {
        create: () => {
          let collector!: OutputCollector;
          return {
            ackMode: 'manual' as const,
            prepare: (_c: unknown, out: OutputCollector) => void (collector = out),
            execute: (tuple: Tuple) => {
              delivered.add(originOfTuple(tuple));
              if (released) collector.ack(tuple);
              else held.push({ tuple, collector });
            },
          };
        },
        inputs: [{ from: 'kafka', grouping: shuffle() }],
      })
      .build();
    const runtime = new TopologyRuntime({ topology: t, logger });
    runtimes.push(runtime);
    await runtime.start();
    const metric = (name: string) => {
      let sum = 0;
      for (const f of runtime.metrics.families()) if (f.name === name) for (const s of f.series.values()) sum += (s.metric as { value: number }).value;
      return sum;
    };
    await waitFor(() => metric('squall_kafka_spout_assigned_partitions') === 2 && metric('squall_kafka_spout_paused_partitions') === 2, {
      timeoutMs: 60_000,
      message: 'both partitions paused behind the stalled bolt',
    });
    const polled = metric('squall_kafka_spout_records_polled_total');
    assert.ok(metric('squall_kafka_spout_buffered_records') <= 50, 'the buffer never holds more than maxBufferedRecords');
    assert.ok(polled <= 100 + 32 + 50, `${polled} records taken from Kafka: at most maxSpoutPending + one emit batch + the buffer`);
    assert.ok(held.length <= 132);
    released = true;
    for (const { tuple, collector } of held.splice(0)) collector.ack(tuple);
    await waitFor(() => delivered.size === n, { timeoutMs: 60_000, message: `all ${n} records once the bolt acks` });
    await stop(runtime);
    const { committed, end } = await offsets(groupId, topic);
    assert.deepEqual(committed, end);
  });

  it('starts a partition where startOffsets says, and at the end with latest', TIMEOUT, async () => {
    const topic = uniqueTopic('kafka-spout-start');
    await ensureTopic(brokers, topic, { partitions: 2 });
    await produceLines(brokers, topic, Array.from({ length: 20 }, (_, i) => ({ value: JSON.stringify({ i }), partition: i % 2 })));
    const asked: string[] = [];
    const hooked = newSink();
    const runtime = await startTopology(
      'kafka-start-offsets',
      {
        groupId: uniqueGroupId('kafka-spout-start'),
        topics: [topic],
        startOffsets: async (t, p, { committedOffset }) => {
          asked.push(`${t}/${p} ${committedOffset}`);
          return p === 0 ? '7' : undefined;
        },
      },
      hooked,
    );
    await waitFor(() => hooked.delivered.length === 13, { timeoutMs: 60_000, message: '3 records of partition 0 and 10 of partition 1' });
    await stop(runtime);
    assert.deepEqual(asked.sort(), [`${topic}/0 undefined`, `${topic}/1 undefined`], 'a new group has no committed offsets');
    assert.deepEqual(hooked.delivered.filter((o) => o.startsWith(`${topic}/0@`)).sort(), [7, 8, 9].map((o) => `${topic}/0@${o}`));

    const latest = newSink();
    const latestGroup = uniqueGroupId('kafka-spout-latest');
    const tail = await startTopology('kafka-latest', { groupId: latestGroup, topics: [topic], firstPollOffsetStrategy: 'latest' }, latest);
    // The spout commits the end it sought to as its position; once it has, it reads only newer records.
    await waitFor(async () => Object.values((await offsets(latestGroup, topic)).committed).join() === '10,10', { timeoutMs: 60_000, message: 'the spout to start at the end' });
    await produceLines(brokers, topic, [{ value: '{"i":20}', partition: 0 }]);
    await waitFor(() => latest.delivered.length >= 1, { timeoutMs: 60_000, message: 'the record produced after the spout started' });
    await stop(tail);
    assert.deepEqual(latest.delivered, [`${topic}/0@10`]);
  });
});
