/**
 * The {@link KafkaSource} on kafkajs: a group consumer with `autoCommit` off, fed through
 * `eachBatch` without auto-resolve. Only the offsets the spout took are resolved, so whatever it
 * left in a batch (its buffer was full) is fetched again once the partition is resumed.
 *
 * After a crash kafkajs does not restart (the consumer has left its group), the offsets the
 * spout still commits on its way out go through a short-lived member of the same group
 * (`commit-as-new-member.ts`): what was acked stays committed.
 */
import { Kafka, type Admin, type Consumer } from 'kafkajs';
import { SquallError, messageOf } from '../../core/index.js';
import { KafkaErrorCodes } from './errors.js';
import { registerKafkaCodecs } from './codecs.js';
import { commitAsNewMember } from './commit-as-new-member.js';
import { KAFKAJS_LOG_LEVEL, kafkajsLogCreator } from './log-bridge.js';
import type { KafkaSource, KafkaSourceConfig, SourceListener, TopicPartition, TopicPartitionOffset } from './source.js';

const byTopic = (partitions: readonly TopicPartition[]) => {
  const topics = new Map<string, number[]>();
  for (const { topic, partition } of partitions) {
    const list = topics.get(topic);
    if (list === undefined) topics.set(topic, [partition]);
    else list.push(partition);
  }
  return [...topics].map(([topic, list]) => ({ topic, partitions: list }));
};

/** Group errors that mean this member is no longer in the generation its partitions came from. */
const STALE_MEMBER_TYPES = new Set(['ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'FENCED_INSTANCE_ID']);

/** A refused commit in Squall's terms: a stale member, a rebalance, or anything else as it was. */
function commitError(error: unknown): unknown {
  const type = (error as { type?: unknown }).type;
  if (typeof type !== 'string') return error;
  if (STALE_MEMBER_TYPES.has(type)) return new SquallError(KafkaErrorCodes.STALE_MEMBER, `the group refused the commit: this member is not in its current generation (${type})`, { cause: error });
  if (type === 'REBALANCE_IN_PROGRESS') return new SquallError(KafkaErrorCodes.REBALANCING, `the group is rebalancing: ${messageOf(error)}`, { retriable: true, cause: error });
  return error;
}

class KafkajsSource implements KafkaSource {
  readonly #config: KafkaSourceConfig;
  readonly #kafka: Kafka;
  readonly #consumer: Consumer;
  #admin: Promise<Admin> | undefined;
  #removers: (() => void)[] = [];
  #stopping: Promise<void> | undefined;
  /** The consumer crashed and kafkajs does not restart it. */
  #down = false;

  constructor(config: KafkaSourceConfig) {
    this.#config = config;
    const codecs = registerKafkaCodecs();
    config.logger.info(`codecs: gzip (built in), ${codecs.map((c) => `${c.codec} (${c.library ?? 'none'}${c.native ? ', native' : ''})`).join(', ')}`);
    for (const c of codecs) if (c.note !== undefined) config.logger.warn(`${c.codec}: ${c.note}`);
    this.#kafka = new Kafka({
      brokers: [...config.brokers],
      clientId: config.clientId,
      logLevel: KAFKAJS_LOG_LEVEL,
      logCreator: kafkajsLogCreator(config.logger),
    });
    this.#consumer = this.#kafka.consumer({
      groupId: config.groupId,
      sessionTimeout: config.sessionTimeoutMs,
      heartbeatInterval: config.heartbeatIntervalMs,
      maxBytesPerPartition: config.maxBytesPerPartition,
      maxWaitTimeInMs: config.fetchMaxWaitMs,
      retry: {
        retries: 5,
        restartOnFailure: (error) => (this.#stopping !== undefined ? Promise.resolve(false) : (config.beforeRestart?.(error) ?? Promise.resolve(true))),
      },
    });
  }

  async start(listener: SourceListener): Promise<void> {
    const c = this.#consumer;
    this.#removers.push(
      c.on(c.events.GROUP_JOIN, (e) => listener.assigned(e.payload.memberId, e.payload.memberAssignment)),
      c.on(c.events.REBALANCING, () => listener.rebalancing()),
      c.on(c.events.HEARTBEAT, () => listener.heartbeat?.()),
      c.on(c.events.CRASH, (e) => {
        this.#down = !e.payload.restart;
        listener.crashed(e.payload.error, e.payload.restart);
      }),
    );
    await c.connect();
    await c.subscribe({ topics: [...this.#config.topics], fromBeginning: this.#config.fromBeginning });
    await c.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, isRunning, isStale }) => {
        if (!isRunning() || isStale()) return;
        const taken = await listener.batch(batch);
        if (taken > 0) resolveOffset(batch.messages[taken - 1]!.offset);
      },
    });
  }

  pause(partitions: readonly TopicPartition[]): void {
    if (partitions.length > 0) this.#consumer.pause(byTopic(partitions));
  }

  resume(partitions: readonly TopicPartition[]): void {
    if (partitions.length > 0) this.#consumer.resume(byTopic(partitions));
  }

  seek(partition: TopicPartition, offset: string): void {
    this.#consumer.seek({ topic: partition.topic, partition: partition.partition, offset });
  }

  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    if (this.#down) {
      await commitAsNewMember(this.#kafka, this.#config.groupId, offsets);
      return;
    }
    try {
      await this.#consumer.commitOffsets(offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset })));
    } catch (error) {
      throw commitError(error);
    }
  }

  async committedOffsets(topic: string): Promise<readonly { partition: number; offset: string | undefined }[]> {
    const [group] = await (await this.#adminClient()).fetchOffsets({ groupId: this.#config.groupId, topics: [topic] });
    return (group?.partitions ?? []).map((p) => ({ partition: p.partition, offset: Number(p.offset) < 0 ? undefined : p.offset }));
  }

  async watermarks(topic: string): Promise<readonly { partition: number; low: string; high: string }[]> {
    const admin = await this.#adminClient();
    return (await admin.fetchTopicOffsets(topic)).map((p) => ({ partition: p.partition, low: p.low, high: p.high }));
  }

  #adminClient(): Promise<Admin> {
    this.#admin ??= (async () => {
      const admin = this.#kafka.admin();
      await admin.connect();
      return admin;
    })();
    return this.#admin;
  }

  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      for (const remove of this.#removers) remove();
      this.#removers = [];
      const admin = this.#admin;
      this.#admin = undefined;
      await Promise.allSettled([this.#consumer.disconnect(), admin?.then((a) => a.disconnect())]);
    })();
    return this.#stopping;
  }
}

/** The default source: kafkajs. */
export function kafkajsSource(config: KafkaSourceConfig): KafkaSource {
  return new KafkajsSource(config);
}
