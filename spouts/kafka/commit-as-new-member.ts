/**
 * Commits a group's offsets after its consumer crashed for good. kafkajs's consumer has left the
 * group by then and refuses to commit, and its admin `setOffsets` waits a whole fetch wait
 * (5 s) before it writes. Instead a short-lived consumer of the same group joins, pauses every
 * partition before its first fetch (so a batch it could not decode is never read), commits, and
 * leaves: about one group join.
 */
import type { Kafka } from 'kafkajs';
import type { TopicPartitionOffset } from './source.js';

export async function commitAsNewMember(kafka: Kafka, groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void> {
  const topics = [...new Set(offsets.map((o) => o.topic))];
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics });
    const joined = new Promise<void>((resolve, reject) => {
      consumer.on(consumer.events.GROUP_JOIN, () => {
        consumer.pause(topics.map((topic) => ({ topic })));
        resolve();
      });
      consumer.on(consumer.events.CRASH, (e) => reject(e.payload.error));
    });
    // kafkajs commits only once the consumer runs, which `run` resolves after the join.
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => {} });
    await joined;
    await consumer.commitOffsets(offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset })));
  } finally {
    await consumer.disconnect();
  }
}
