import { Kafka, Partitioners, logLevel } from 'kafkajs';
import type { InfraSettings } from '../settings.js';
import { probeSuffix, withDeadline } from './deadline.js';

/**
 * Creates a topic, produces one message, consumes it back in a consumer group, and deletes the
 * topic. Resolves with a one-line summary; rejects with what failed.
 */
export async function probeKafka(settings: InfraSettings, timeoutMs = 60_000): Promise<string> {
  const suffix = probeSuffix();
  const topic = `squall-status-${suffix}`;
  const payload = `squall status probe ${suffix}`;
  const kafka = new Kafka({
    clientId: 'squall-infra-status',
    brokers: [...settings.kafka.brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 5_000,
    retry: { retries: 3 },
  });
  const admin = kafka.admin();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const consumer = kafka.consumer({ groupId: `squall-status-${suffix}` });
  const started = Date.now();
  try {
    await withDeadline(
      (async () => {
        await admin.connect();
        await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
        await producer.connect();
        await producer.send({ topic, messages: [{ key: 'probe', value: payload }] });
        await consumer.connect();
        await consumer.subscribe({ topics: [topic], fromBeginning: true });
        const received = new Promise<string>((resolve) => {
          void consumer.run({ eachMessage: async ({ message }) => resolve(message.value?.toString('utf8') ?? '') });
        });
        const value = await received;
        if (value !== payload) throw new Error(`consumed ${JSON.stringify(value)}, expected ${JSON.stringify(payload)}`);
      })(),
      timeoutMs,
      `Kafka produce/consume round trip on ${settings.kafka.brokers.join(',')}`,
    );
    return `produced and consumed 1 message through a consumer group in ${Date.now() - started} ms (${settings.kafka.brokers.join(',')})`;
  } finally {
    await Promise.allSettled([consumer.disconnect(), producer.disconnect()]);
    await admin.deleteGroups([`squall-status-${suffix}`]).catch(() => undefined);
    await admin.deleteTopics({ topics: [topic], timeout: 5_000 }).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}
