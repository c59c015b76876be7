/** The spout's logic against an in-memory Kafka: no broker, no engine; the test plays both. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCodes, SquallError } from '../../core/index.js';
import { KafkaErrorCodes } from './errors.js';
import { kafkaSpoutOutputs } from './outputs.js';
import { KafkaMessageId } from './partition-state.js';
import { Harness, REASON, waitFor } from './spout-test-kit.js';

describe('KafkaSpout', () => {
  it('emits each record with its fields and a message id', async () => {
    const h = await new Harness({ partitions: 1 }).open();
    h.source.produce('t', 0, '{"a":1}', { key: 'k1', headers: { trace: 'x' } });
    const [e] = await h.poll();
    assert.equal(e!.stream, 'default');
    assert.deepEqual(e!.values, ['t', 0, 0, 'k1', { a: 1 }, 1_700_000_000_000, { trace: 'x' }, null]);
    assert.ok(e!.msgId instanceof KafkaMessageId);
    assert.equal(String(e!.msgId), 't/0@0');
    assert.equal(h.counter('kafka_spout_records_emitted_total'), 1);
    await h.spout.close();
  });

  it('commits only the contiguous prefix of acked offsets per partition', async () => {
    const h = await new Harness({ partitions: 2 }).open();
    h.produce(0, ['1', '2', '3', '4']);
    h.produce(1, ['5', '6']);
    await h.poll();
    const ids = h.ids();
    const at = (p: number, o: number) => ids.find((id) => id.partition.partition === p && id.offset === o)!;
    h.spout.ack(at(0, 1));
    h.spout.ack(at(0, 3));
    h.spout.ack(at(1, 0));
    h.spout.ack(at(1, 1));
    await h.spout.close();
    assert.equal(h.source.committed.get('t/0'), 0, 'offset 0 of t/0 is not acked: its commit stays at 0');
    assert.equal(h.source.committed.get('t/1'), 2);
    assert.equal(h.source.stopped, true);
  });

  it('commits on its interval as acks close gaps', async () => {
    const h = await new Harness({ partitions: 1, commitIntervalMs: 5 }).open();
    h.produce(0, ['1', '2', '3']);
    await h.poll();
    const [a, b, c] = h.ids();
    h.spout.ack(c);
    h.spout.ack(a);
    await waitFor(() => h.source.committed.get('t/0') === 1, 'a commit of offset 1');
    h.spout.ack(b);
    await waitFor(() => h.source.committed.get('t/0') === 3, 'a commit of offset 3');
    assert.ok(h.counter('kafka_spout_commits_total') >= 2);
    await h.spout.close();
  });

  it('retries a failed record with backoff, then sends it to errors with the reason, and commits it once that is acked', async () => {
    const h = await new Harness({ partitions: 1 }).open();
    h.produce(0, ['{"n":1}', '{"n":2}']);
    await h.poll();
    const first = h.ids()[0]!;
    h.spout.ack(h.ids()[1]!);
    for (let attempt = 1; attempt <= 2; attempt++) {
      h.spout.fail(first, REASON);
      await h.pollUntil(() => h.emitted.length === 2 + attempt, `retry ${attempt}`);
      const again = h.emitted.at(-1)!;
      assert.equal(again.msgId, first, 'a retry carries the same message id');
      assert.deepEqual(again.values.slice(0, 5), ['t', 0, 0, null, { n: 1 }]);
    }
    h.spout.fail(first, REASON);
    await h.poll();
    const error = h.emitted.at(-1)!;
    assert.equal(error.stream, 'errors');
    assert.deepEqual(error.values, [{ n: 1 }, "failed 3 times, no retries left (maxRetries 2); last failure: explicit in 'sink' task 3: disk full", 't/0@0']);
    assert.equal(h.counter('kafka_spout_retries_total'), 2);
    assert.equal(h.counter('kafka_spout_error_records_total', { reason: 'retries_exhausted' }), 1);
    h.spout.ack(error.msgId);
    await h.spout.close();
    assert.equal(h.source.committed.get('t/0'), 2, 'the errors tuple was acked: the offset is done');
  });

  it('replays a record failed by the storage (a full disk) without counting an attempt, and counts what is not written', async () => {
    const h = await new Harness({ partitions: 1 }).open();
    h.produce(0, ['{"n":1}']);
    await h.poll();
    const first = h.ids()[0]!;
    const full = { ...REASON, code: ErrorCodes.STORAGE_FULL };
    for (let attempt = 1; attempt <= 5; attempt++) {
      h.spout.fail(first, full);
      await h.pollUntil(() => h.emitted.length === 1 + attempt, `replay ${attempt}`);
      assert.equal(h.emitted.at(-1)!.stream, 'default', 'never given up to errors for a full disk');
    }
    assert.equal(h.counter('kafka_spout_retries_total'), 0);
    assert.deepEqual(h.spout.records(), { givenUp: 0, unwritten: 1 });
    h.spout.ack(first);
    await h.spout.close();
    assert.deepEqual(h.spout.records(), { givenUp: 0, unwritten: 0 });
  });

  it('emits an errors tuple again when it fails, and does not commit its offset until it is acked', async () => {
    const h = await new Harness({ partitions: 1 }).open();
    h.produce(0, ['{']);
    const [error] = await h.poll();
    assert.equal(error!.stream, 'errors');
    h.spout.fail(error!.msgId, REASON);
    await h.pollUntil(() => h.emitted.length === 2, 'the errors tuple again');
    assert.equal(h.emitted[1]!.stream, 'errors');
    assert.equal(h.emitted[1]!.msgId, error!.msgId);
    await h.spout.close();
    assert.equal(h.source.committed.get('t/0'), 0);
  });

  it('sends undecodable records to errors with reason and offset, between good records that all go through', async () => {
    const h = await new Harness({ partitions: 1 }).open();
    h.produce(0, ['{"ok":1}', '{"ok":', '', null, '{"ok":2}']);
    const out = await h.poll();
    assert.deepEqual(
      out.map((e) => e.stream),
      ['default', 'errors', 'errors', 'errors', 'default'],
    );
    const errors = out.filter((e) => e.stream === 'errors').map((e) => e.values);
    assert.match(String(errors[0]![1]), /^invalid JSON/);
    assert.equal(errors[0]![2], 't/0@1');
    assert.deepEqual(errors[0]![0], Buffer.from('{"ok":'), 'the raw bytes, since they do not decode');
    assert.deepEqual(errors.slice(1).map((v) => [v[1], v[2]]), [
      ['empty message: JSON needs at least one byte', 't/0@2'],
      ['the record has no value (null): JSON needs bytes', 't/0@3'],
    ]);
    assert.equal(h.counter('kafka_spout_error_records_total', { reason: 'decode' }), 3);
    for (const e of out) h.spout.ack(e.msgId);
    await h.spout.close();
    assert.equal(h.source.committed.get('t/0'), 5);
  });

  it('pauses fetching when the buffer is full and resumes once it drains to half', async () => {
    const h = await new Harness({ partitions: 2, maxBufferedRecords: 4, batchSize: 10 }).open();
    h.produce(0, Array.from({ length: 10 }, (_, i) => String(i)));
    h.produce(1, Array.from({ length: 10 }, (_, i) => String(i)));
    assert.equal(await h.source.pump(), 4, 'only as many records as the buffer holds are taken, after a short wait for space');
    assert.deepEqual([...h.source.paused].sort(), ['t/0', 't/1']);
    assert.equal(h.counter('kafka_spout_buffered_records'), 4);
    assert.equal(h.counter('kafka_spout_paused_partitions'), 2);
    const emitted = await h.poll();
    assert.equal(emitted.length, 20, 'everything arrives, in bounded steps');
    assert.equal(h.source.paused.size, 0);
    await h.spout.close();
  });

  it('lets a batch wait for buffer space while the spout drains, without pausing', async () => {
    const h = await new Harness({ partitions: 1, maxBufferedRecords: 4, batchSize: 10 }).open();
    h.produce(0, Array.from({ length: 10 }, (_, i) => String(i)));
    const pumped = h.source.pump();
    await h.pollUntil(() => h.emitted.length === 10, 'all 10 records');
    assert.equal(await pumped, 10, 'the whole batch was taken as the buffer drained');
    assert.equal(h.source.paused.size, 0, 'never paused');
    assert.deepEqual(h.emitted.map((e) => e.values[2]), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await h.spout.close();
  });

  it('pauses a partition at maxUncommittedOffsets until a commit moves past acked offsets', async () => {
    const h = await new Harness({ partitions: 1, maxUncommittedOffsets: 3 }).open();
    h.produce(0, ['1', '2', '3', '4', '5']);
    const first = await h.poll();
    assert.equal(first.length, 3);
    assert.ok(h.source.paused.has('t/0'));
    for (const e of first) h.spout.ack(e.msgId);
    await waitFor(() => h.source.committed.get('t/0') === 3 && !h.source.paused.has('t/0'), 'a pressure commit and a resume');
    assert.equal((await h.poll()).length, 2);
    await h.spout.close();
  });

  it('drops a revoked partition, ignores late acks and fails for it, and never commits it', async () => {
    const h = await new Harness({ partitions: 2 }).open();
    h.produce(0, ['1', '2']);
    h.produce(1, ['3', '4']);
    await h.poll();
    const old = h.ids().filter((id) => id.partition.partition === 1);
    h.source.assign([{ topic: 't', partition: 0 }], { sameMember: true });
    for (const id of old) h.spout.ack(id);
    h.spout.fail(old[0]!, REASON);
    assert.equal(h.counter('kafka_spout_stale_callbacks_total'), 3);
    for (const id of h.ids().filter((i) => i.partition.partition === 0)) h.spout.ack(id);
    await h.spout.close();
    assert.equal(h.source.committed.get('t/0'), 2);
    assert.equal(h.source.committed.has('t/1'), false, 'acks of the old assignment are not committed');
    assert.equal(await h.poll().then((e) => e.length), 0, 'no retry of the revoked record');
  });

  it('drops buffered records of a revoked partition and reads it from the commit when it comes back', async () => {
    const h = await new Harness({ partitions: 1 }).open();
    h.produce(0, ['1', '2', '3']);
    await h.poll();
    h.spout.ack(h.ids()[0]!);
    h.source.committed.set('t/0', 1);
    h.produce(0, ['4']);
    await h.source.pump(); // offset 3 is buffered, not emitted
    h.source.assign([]);
    assert.equal(await h.poll().then((e) => e.length), 0);
    h.source.assign([{ topic: 't', partition: 0 }]);
    const again = await h.poll();
    assert.deepEqual(again.map((e) => e.values[2]), [1, 2, 3], 'the new assignment reads from the committed offset');
    assert.notEqual((again[0]!.msgId as KafkaMessageId).epoch, h.ids()[0]!.epoch);
    await h.spout.close();
  });

  it('does not emit records twice when a rebalance keeps its partitions', async () => {
    const h = await new Harness({ partitions: 1 }).open();
    h.produce(0, ['1', '2']);
    await h.poll();
    h.source.assign([{ topic: 't', partition: 0 }], { sameMember: true });
    h.produce(0, ['3']);
    const more = await h.poll();
    assert.deepEqual(more.map((e) => e.values[2]), [2]);
    for (const id of h.ids()) h.spout.ack(id);
    await h.spout.close();
    assert.equal(h.source.committed.get('t/0'), 3, 'in-flight tuples of a kept partition still commit');
  });

  it('asks startOffsets where a partition starts and seeks there', async () => {
    const asked: string[] = [];
    const h = new Harness({
      partitions: 2,
      startOffsets: async (topic, partition, { committedOffset }) => {
        asked.push(`${topic}/${partition} committed ${committedOffset}`);
        return partition === 0 ? '2' : undefined;
      },
    });
    h.produce(0, ['1', '2', '3', '4']);
    h.produce(1, ['5']);
    h.source.committed.set('t/1', 0);
    await h.open();
    const out = await h.poll();
    assert.deepEqual(asked.sort(), ['t/0 committed undefined', 't/1 committed 0']);
    assert.deepEqual(out.map((e) => String(e.msgId)).sort(), ['t/0@2', 't/0@3', 't/1@0']);
    await h.spout.close();
  });

  it('keeps a partition paused and retries while startOffsets fails or returns a non-offset', async () => {
    let calls = 0;
    const h = new Harness({
      partitions: 1,
      startOffsets: async () => {
        calls++;
        if (calls === 1) throw new Error('namenode unreachable');
        return calls === 2 ? 'abc' : '1';
      },
    });
    h.produce(0, ['1', '2']);
    await h.open();
    await waitFor(() => calls === 3, 'a third startOffsets call');
    const out = await h.poll();
    assert.deepEqual(out.map((e) => String(e.msgId)), ['t/0@1']);
    const codes = h.reported.map((e) => (e as SquallError).code);
    assert.deepEqual(codes, [KafkaErrorCodes.START_OFFSETS, KafkaErrorCodes.START_OFFSETS]);
    assert.match((h.reported[1] as Error).message, /startOffsets returned "abc" for t\/0: return a decimal offset string/);
    await h.spout.close();
  });

  it("'earliest' ignores the commit on the first assignment, then resumes from commits; 'latest' starts at the end", async () => {
    const h = new Harness({ partitions: 1, firstPollOffsetStrategy: 'earliest' });
    h.produce(0, ['1', '2', '3']);
    h.source.committed.set('t/0', 2);
    await h.open();
    assert.deepEqual((await h.poll()).map((e) => e.values[2]), [0, 1, 2]);
    h.source.assign([]);
    h.source.assign([{ topic: 't', partition: 0 }]);
    assert.deepEqual((await h.poll()).map((e) => e.values[2]), [2], 'a later assignment resumes from the commit');
    await h.spout.close();

    const l = new Harness({ partitions: 1, firstPollOffsetStrategy: 'latest' });
    l.produce(0, ['1', '2']);
    l.source.committed.set('t/0', 0);
    await l.open();
    assert.equal((await l.poll()).length, 0);
    l.produce(0, ['3']);
    assert.deepEqual((await l.poll()).map((e) => e.values[2]), [2]);
    await l.spout.close();
  });

  it('at-most-once commits a batch before emitting it, without message ids', async () => {
    const h = new Harness({ partitions: 1, processingGuarantee: 'at-most-once' });
    h.produce(0, ['1', '2']);
    await h.open();
    h.source.failCommits = 1;
    await h.source.pump();
    await h.spout.nextTuple();
    assert.equal(h.emitted.length, 0, 'the commit failed: nothing is emitted');
    await h.spout.nextTuple();
    assert.deepEqual(h.emitted.map((e) => [e.values[2], e.msgId]), [[0, undefined], [1, undefined]]);
    assert.deepEqual(h.source.commits, [[{ topic: 't', partition: 0, offset: '2' }]]);
    await h.spout.close();
  });

  it("'none' emits without message ids and commits what it emitted", async () => {
    const h = new Harness({ partitions: 1, processingGuarantee: 'none', commitIntervalMs: 5 });
    h.produce(0, ['1', '{', '3']);
    await h.open();
    const out = await h.poll();
    assert.deepEqual(out.map((e) => [e.stream, e.msgId]), [['default', undefined], ['errors', undefined], ['default', undefined]]);
    await waitFor(() => h.source.committed.get('t/0') === 3, 'a periodic commit');
    await h.spout.close();
  });

  it('routes topics to streams, and sends records of a topic routed to an undeclared stream to errors', async () => {
    const h = new Harness({ partitions: 1, streams: (topic) => (topic === 't' ? 'text' : 'default'), outputs: kafkaSpoutOutputs() });
    h.produce(0, ['1']);
    await h.open();
    const [e] = await h.poll();
    assert.equal(e!.stream, 'errors');
    assert.equal(e!.values[1], "topic 't' routes to stream 'text', which the spout does not declare");
    await h.spout.close();

    const ok = new Harness({ partitions: 1, streams: { t: 'text' }, outputs: kafkaSpoutOutputs(['text']) });
    ok.produce(0, ['1']);
    await ok.open();
    assert.equal((await ok.poll())[0]!.stream, 'text');
    await ok.spout.close();
  });

  it('fails open, naming the fix, when errors or a routed stream is not declared', async () => {
    const h = new Harness({ outputs: { default: kafkaSpoutOutputs().default } });
    await assert.rejects(h.open(), (error: unknown) => {
      assert.ok(error instanceof SquallError);
      assert.equal(error.code, ErrorCodes.INVALID_CONFIG);
      assert.match(error.message, /kafka spout 'kafka' emits on stream 'errors', which the spout does not declare: declare it in the spout's outputs, for example outputs: kafkaSpoutOutputs\(\)/);
      return true;
    });
    const routed = new Harness({ streams: { t: 'text' } });
    await assert.rejects(routed.open(), /stream 'text', which the spout does not declare.*kafkaSpoutOutputs\(\['text'\]\)/);
  });

  it('fails open with a retriable connect error, and lets go of the client, when Kafka cannot be reached', async () => {
    const h = new Harness();
    h.source.start = async () => {
      throw new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    };
    await assert.rejects(h.open(), (error: unknown) => {
      assert.ok(error instanceof SquallError);
      assert.equal(error.code, KafkaErrorCodes.CONNECT);
      assert.equal(error.retriable, true);
      assert.match(error.message, /^cannot consume t from 127\.0\.0\.1:9092 as group 'g': Connection error: .+ Check that Kafka is up \(bash infra\/kafka\.sh status\)/);
      return true;
    });
    assert.equal(h.source.stopped, true);
    assert.equal(h.spout.state, 'closed');
    await h.spout.close();
  });

  it('waits for records instead of spinning, and wakes as soon as they arrive', async () => {
    const h = await new Harness({ partitions: 1, pollTimeoutMs: 10_000 }).open();
    const started = Date.now();
    const pending = h.spout.nextTuple();
    assert.ok(pending instanceof Promise, 'an empty spout returns a promise');
    h.produce(0, ['1']);
    await h.source.pump();
    await pending;
    assert.equal(h.emitted.length, 1, 'the record was emitted by the waiting call');
    assert.ok(Date.now() - started < 5000);
    await h.spout.close();
  });

  it('pauses everything while deactivated and wakes a waiting nextTuple', async () => {
    const h = await new Harness({ partitions: 2, pollTimeoutMs: 10_000 }).open();
    const pending = h.spout.nextTuple();
    h.spout.deactivate();
    await pending;
    assert.deepEqual([...h.source.paused].sort(), ['t/0', 't/1']);
    h.produce(0, ['1']);
    assert.equal(await h.source.pump(), 0);
    h.spout.activate();
    assert.equal(h.source.paused.size, 0);
    assert.equal((await h.poll()).length, 1);
    await h.spout.close();
  });

  it('closes once however often it is asked; a crash kafkajs restarts is an error, one it does not is fatal, and both are counted', async () => {
    const h = await new Harness({ partitions: 1 }).open();
    h.source.crash(new Error('broker gone'), true);
    h.source.crash(Object.assign(new Error('Not authorized to access topics: [t]'), { type: 'TOPIC_AUTHORIZATION_FAILED' }), false);
    const [restarting] = h.reported as SquallError[];
    assert.equal(h.reported.length, 1);
    assert.equal(restarting!.code, KafkaErrorCodes.CONSUMER_CRASH);
    assert.equal(restarting!.retriable, true);
    assert.match(restarting!.message, /crashed and restarts \(partitions are assigned afresh\): broker gone/);
    const [fatal] = h.fatal as SquallError[];
    assert.equal(h.fatal.length, 1);
    assert.equal(fatal!.code, KafkaErrorCodes.CONSUMER_CRASH);
    assert.equal(fatal!.retriable, false);
    assert.match(fatal!.message, /no restart can help: Not authorized to access topics: \[t\]\. Grant the client's principal Describe and Read/);
    assert.equal(h.counter('kafka_spout_consumer_crashes_total'), 2);
    const closes = [h.spout.close(), h.spout.close()];
    assert.equal(closes[0], closes[1]);
    await Promise.all(closes);
    assert.equal(h.spout.state, 'closed');
    assert.equal(h.spout.nextTuple(), undefined, 'a closed spout emits nothing');
  });
});
