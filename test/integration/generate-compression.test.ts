/**
 * Issue #19: `nimbus generate --kafka --compression <codec>` writes batches compressed with that
 * codec, which librdkafka (kcat) reads back whole. The codec is checked by which of kafkajs's
 * decompressors the records come through.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import kafkajs, { type Admin } from 'kafkajs';
import { registerKafkaCodecs } from '../../spouts/kafka/index.js';
import { ensureInfra, ensureKafkaProducers, infraSettings, runNimbus, testNames } from '../support/index.js';

const { CompressionCodecs, CompressionTypes, Kafka, logLevel } = kafkajs;
const brokers = [...infraSettings.kafka.brokers];
const names = testNames('generate-compression');
const CODECS = ['gzip', 'snappy', 'lz4', 'zstd'] as const;
const topicOf = (codec: string) => `${names.topic}-${codec}`;
const LINES = 200;

let admin: Admin;

before(async () => {
  await Promise.all([ensureInfra(), ensureKafkaProducers()]);
  admin = new Kafka({ brokers, clientId: 'squall-test-admin', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
});

after(async () => {
  await admin?.deleteTopics({ topics: CODECS.map(topicOf) }).catch(() => {});
  await admin?.disconnect();
});

test('nimbus generate --compression writes each codec, and kcat reads every line', { timeout: 120_000 }, async () => {
  for (const codec of CODECS) {
    const run = await runNimbus(['generate', '-n', String(LINES), '--kafka', brokers.join(','), '--topic', topicOf(codec), '--compression', codec]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, new RegExp(`produced ${LINES} lines to ${topicOf(codec)} \\(${codec}\\)`));
    const read = spawnSync('kcat', ['-C', '-b', brokers.join(','), '-t', topicOf(codec), '-o', 'beginning', '-e', '-q'], { encoding: 'utf8' });
    assert.equal(read.stdout.trim().split('\n').length, LINES, `kcat reads the ${codec} topic: ${read.stderr}`);
  }

  // Count the batches each decompressor sees while kafkajs reads the four topics.
  registerKafkaCodecs();
  const table = CompressionCodecs as unknown as Record<number, () => { decompress(b: Buffer): Promise<Buffer> }>;
  const types = { gzip: CompressionTypes.GZIP, snappy: CompressionTypes.Snappy, lz4: CompressionTypes.LZ4, zstd: CompressionTypes.ZSTD };
  const seen: Record<string, number> = {};
  for (const codec of CODECS) {
    const original = table[types[codec]]!;
    table[types[codec]] = () => {
      const inner = original();
      return { ...inner, decompress: (b: Buffer) => ((seen[codec] = (seen[codec] ?? 0) + 1), inner.decompress(b)) };
    };
  }
  const consumer = new Kafka({ brokers, clientId: 'squall-test', logLevel: logLevel.NOTHING }).consumer({ groupId: names.groupId });
  await consumer.connect();
  await consumer.subscribe({ topics: CODECS.map(topicOf), fromBeginning: true });
  const perTopic = new Map<string, number>();
  await new Promise<void>((resolve, reject) => {
    consumer.on(consumer.events.CRASH, (e) => reject(e.payload.error));
    void consumer.run({
      eachMessage: async ({ topic }) => {
        perTopic.set(topic, (perTopic.get(topic) ?? 0) + 1);
        if ([...perTopic.values()].reduce((a, b) => a + b, 0) === LINES * CODECS.length) resolve();
      },
    });
  });
  await consumer.disconnect();
  await admin.deleteGroups([names.groupId]).catch(() => {});
  for (const codec of CODECS) {
    assert.equal(perTopic.get(topicOf(codec)), LINES);
    assert.ok((seen[codec] ?? 0) > 0, `${codec} batches were read: ${JSON.stringify(seen)}`);
  }
});
