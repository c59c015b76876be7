/** The spout with a partition fence: leases acquired on assignment, emitted, released, and refusals obeyed. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCodes, type FailReason, type PartitionFence, type PartitionLease, type PartitionSuperseded, SquallError } from '../../core/index.js';
import { KafkaErrorCodes } from './errors.js';
import type { KafkaMessageId } from './partition-state.js';
import { Harness, waitFor } from './spout-test-kit.js';

/** Leases in memory: an epoch per partition, as the HDFS sink's fence keeps them in storage. */
class MemoryFence implements PartitionFence {
  readonly description = 'memory';
  readonly #epochs = new Map<string, number>();
  readonly acquired: string[] = [];
  readonly released: string[] = [];

  async acquire(topic: string, partition: number): Promise<PartitionLease | PartitionSuperseded> {
    const key = `${topic}/${partition}`;
    const epoch = (this.#epochs.get(key) ?? 0) + 1;
    this.#epochs.set(key, epoch);
    this.acquired.push(`${key}#${epoch}`);
    return { lease: String(epoch), startOffset: undefined };
  }

  async holds(topic: string, partition: number, lease: string): Promise<boolean> {
    return this.#epochs.get(`${topic}/${partition}`) === Number(lease);
  }

  async release(topic: string, partition: number, lease: string): Promise<void> {
    this.released.push(`${topic}/${partition}#${lease}`);
  }

  /** Another writer acquires the partition. */
  steal(topic: string, partition: number): void {
    const key = `${topic}/${partition}`;
    this.#epochs.set(key, (this.#epochs.get(key) ?? 0) + 1);
  }
}

const FENCED: FailReason = { kind: 'explicit', component: 'sink', task: 2, message: 'not committed: t/0 moved', code: ErrorCodes.PARTITION_FENCED };
const leaseOf = (values: unknown[]) => values[7];

describe('KafkaSpout with a fence', () => {
  it('acquires each assigned partition and emits its lease with every record; a revoked partition is released', async () => {
    const fence = new MemoryFence();
    const h = await new Harness({ partitions: 2, fence }).open();
    h.produce(0, ['1', '2']);
    h.produce(1, ['3']);
    const emitted = await h.poll();
    assert.deepEqual(fence.acquired.sort(), ['t/0#1', 't/1#1']);
    assert.deepEqual(emitted.map((e) => leaseOf(e.values)), ['1', '1', '1']);
    h.source.assign([{ topic: 't', partition: 1 }], { sameMember: true });
    await waitFor(() => fence.released.length === 1, 'the release of t/0');
    assert.deepEqual(fence.released, ['t/0#1']);
    await h.spout.close();
  });

  it('a record the sink refuses as fenced is neither retried nor given up; its partition is read again only once assigned afresh', async () => {
    const fence = new MemoryFence();
    const h = await new Harness({ partitions: 1, fence }).open();
    h.produce(0, ['1', '2']);
    const [first, second] = await h.poll();
    h.spout.fail(first!.msgId, FENCED);
    h.produce(0, ['3']);
    assert.deepEqual(await h.poll(), [], 'no retry, no error record, no new record of the fenced partition');
    assert.equal(h.counter('kafka_spout_fenced_records_total'), 1);
    assert.equal(h.counter('kafka_spout_fenced_partitions_total'), 1);
    h.spout.ack(second!.msgId);
    // The group assigns the partition to this member again: a new lease, read from the last commit.
    h.source.assign([{ topic: 't', partition: 0 }], { sameMember: true });
    const again = await h.poll();
    assert.deepEqual(fence.acquired, ['t/0#1', 't/0#2']);
    assert.deepEqual(
      again.map((e) => [(e.msgId as KafkaMessageId).offset, leaseOf(e.values)]),
      [
        [0, '2'],
        [1, '2'],
        [2, '2'],
      ],
    );
    assert.equal(h.source.committed.get('t/0'), undefined, 'nothing of the fenced lease was committed');
    await h.spout.close();
  });

  it('a kept partition whose lease was fenced while the member was away is acquired afresh', async () => {
    const fence = new MemoryFence();
    const h = await new Harness({ partitions: 1, fence }).open();
    h.produce(0, ['1']);
    await h.poll();
    fence.steal('t', 0);
    h.source.assign([{ topic: 't', partition: 0 }], { sameMember: true });
    await h.pollUntil(() => fence.acquired.length === 2, 'a second acquisition');
    h.produce(0, ['2']);
    const after = await h.poll();
    assert.ok(after.length > 0 && after.every((e) => leaseOf(e.values) === '3'), JSON.stringify(after.map((e) => e.values)));
    await h.spout.close();
  });

  it('a commit the group refuses because the member left its generation releases every lease and stops reading', async () => {
    const fence = new MemoryFence();
    const h = await new Harness({ partitions: 2, fence, maxUncommittedOffsets: 2 }).open();
    h.produce(0, ['1']);
    h.produce(1, ['2']);
    const emitted = await h.poll();
    h.source.refuseNextCommit = new SquallError(KafkaErrorCodes.STALE_MEMBER, 'the group refused the commit: this member is not in its current generation (UNKNOWN_MEMBER_ID)');
    h.spout.ack(emitted[0]!.msgId);
    await waitFor(() => fence.released.length === 2, 'both leases released');
    assert.deepEqual(fence.released.sort(), ['t/0#1', 't/1#1']);
    h.produce(0, ['3']);
    assert.deepEqual(await h.poll(), []);
    await h.spout.close();
  });

  it('a partition fenced while the group confirms this member holds it is acquired again after fenceRetryMs', async () => {
    const fence = new MemoryFence();
    const h = await new Harness({ partitions: 1, fence, fenceRetryMs: 1 }).open();
    h.produce(0, ['1']);
    const [first] = await h.poll();
    // A member that acquired late fenced this one's lease; this member still holds the partition.
    fence.steal('t', 0);
    h.spout.fail(first!.msgId, FENCED);
    const fencedAt = Date.now();
    await h.pollUntil(() => Date.now() > fencedAt + 1, 'fenceRetryMs to pass');
    h.source.heartbeat();
    await h.pollUntil(() => fence.acquired.length === 2, 'the partition acquired again');
    h.produce(0, ['2']);
    const after = await h.poll();
    assert.ok(after.length > 0 && after.every((e) => leaseOf(e.values) === '3'), JSON.stringify(after.map((e) => e.values)));
    await h.spout.close();
  });

  it('refuses startOffsets beside a fence, saying why', () => {
    assert.throws(() => new Harness({ fence: new MemoryFence(), startOffsets: async () => '0' }), /startOffsets.*leave it unset with fence/);
  });
});
