/** Topic administration the producer CLI and tests need: creating a topic with its partitions. */
import { Kafka } from 'kafkajs';
import { type Logger, nullLogger } from '../../core/index.js';
import { KAFKAJS_LOG_LEVEL, kafkajsLogCreator } from './log-bridge.js';

/**
 * Creates `topic` with `partitions` partitions unless it exists. Resolves true when it was
 * created. An existing topic keeps its partition count.
 */
export async function ensureTopic(brokers: readonly string[], topic: string, options: { partitions?: number; logger?: Logger } = {}): Promise<boolean> {
  const kafka = new Kafka({ brokers: [...brokers], clientId: 'squall-admin', logLevel: KAFKAJS_LOG_LEVEL, logCreator: kafkajsLogCreator(options.logger ?? nullLogger) });
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await admin.createTopics({ topics: [{ topic, numPartitions: options.partitions ?? 1 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}
