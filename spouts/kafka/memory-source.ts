/**
 * An in-memory {@link KafkaSource}: a broker with topics, partitions and one consumer group,
 * for unit tests of the spout and of topologies that use it. It behaves like kafkajs where the
 * spout depends on it: a rejoin reads kept partitions from the committed offset again, records
 * a batch handler did not take are delivered again, and paused partitions are not fetched.
 */
import type { KafkaSource, KafkaSourceConfig, SourceBatch, SourceListener, SourceMessage, TopicPartition, TopicPartitionOffset } from './source.js';

interface Log {
  readonly records: SourceMessage[];
}

/** Options of {@link MemoryKafkaSource}. */
export interface MemoryKafkaSourceOptions {
  /** Records per delivered batch. @default 100 */
  readonly batchSize?: number;
  /** Deliver batches on a timer once started; otherwise call `pump()`. @default false */
  readonly autoPump?: boolean;
}

export class MemoryKafkaSource implements KafkaSource {
  readonly options: Required<MemoryKafkaSourceOptions>;
  config: KafkaSourceConfig | undefined;
  readonly #topics = new Map<string, Log[]>();
  /** The group's committed offsets, by `topic/partition`. */
  readonly committed = new Map<string, number>();
  /** Every successful commit, in order. */
  readonly commits: TopicPartitionOffset[][] = [];
  /** Fails this many commit calls before succeeding again. */
  failCommits = 0;
  /** The error the next commit fails with (once), as the group refuses it. */
  refuseNextCommit: unknown;
  /** Partitions currently paused, as `topic/partition`. */
  readonly paused = new Set<string>();
  readonly #positions = new Map<string, number>();
  #assignment: TopicPartition[] = [];
  #listener: SourceListener | undefined;
  #timer: NodeJS.Timeout | undefined;
  #member = 0;
  #pumping = false;
  stopped = false;

  constructor(options: MemoryKafkaSourceOptions = {}) {
    this.options = { batchSize: options.batchSize ?? 100, autoPump: options.autoPump ?? false };
  }

  /** A factory to pass as the spout's `source` option; it always returns this source. */
  factory(): (config: KafkaSourceConfig) => KafkaSource {
    return (config) => {
      this.config = config;
      return this;
    };
  }

  createTopic(topic: string, partitions: number): void {
    this.#topics.set(
      topic,
      Array.from({ length: partitions }, () => ({ records: [] })),
    );
  }

  /** Appends a record; returns its offset. */
  produce(topic: string, partition: number, value: Buffer | string | null, options: { key?: string; headers?: Record<string, string> } = {}): number {
    const log = this.#log(topic, partition);
    const offset = log.records.length;
    log.records.push({
      offset: String(offset),
      key: options.key === undefined ? null : Buffer.from(options.key),
      value: typeof value === 'string' ? Buffer.from(value) : value,
      timestamp: String(1_700_000_000_000 + offset),
      headers: options.headers,
    });
    return offset;
  }

  async start(listener: SourceListener): Promise<void> {
    this.#listener = listener;
    const all: TopicPartition[] = [];
    for (const [topic, logs] of this.#topics) {
      if (!this.#subscribed(topic)) continue;
      logs.forEach((_, partition) => all.push({ topic, partition }));
    }
    this.assign(all);
    if (this.options.autoPump) {
      this.#timer = setInterval(() => void this.pump(), 1);
      this.#timer.unref();
    }
  }

  /** Simulates a group join with this assignment. `rejoin` keeps the member id (a rebalance), otherwise a new member. */
  assign(partitions: readonly TopicPartition[], options: { sameMember?: boolean } = {}): void {
    if (!options.sameMember || this.#member === 0) this.#member++;
    this.#assignment = [...partitions];
    // Like kafkajs's new OffsetManager: positions restart from the committed offsets.
    this.#positions.clear();
    const byTopic: Record<string, number[]> = {};
    for (const { topic, partition } of partitions) (byTopic[topic] ??= []).push(partition);
    this.#listener!.assigned(`member-${this.#member}`, byTopic);
  }

  /** Simulates the group answering a heartbeat. */
  heartbeat(): void {
    this.#listener!.heartbeat?.();
  }

  /** Delivers one batch per assigned, unpaused partition, one after the other; resolves to how many records were taken. */
  async pump(): Promise<number> {
    if (this.#listener === undefined || this.stopped || this.#pumping) return 0;
    this.#pumping = true;
    try {
      return await this.#pumpAll();
    } finally {
      this.#pumping = false;
    }
  }

  async #pumpAll(): Promise<number> {
    let total = 0;
    for (const { topic, partition } of this.#assignment) {
      const key = `${topic}/${partition}`;
      if (this.paused.has(key)) continue;
      const log = this.#log(topic, partition);
      const from = this.#position(key, log);
      const messages = log.records.slice(from, from + this.options.batchSize);
      if (messages.length === 0) continue;
      const batch: SourceBatch = { topic, partition, highWatermark: String(log.records.length), messages };
      const taken = await this.#listener!.batch(batch);
      if (taken > 0) this.#positions.set(key, Number(messages[taken - 1]!.offset) + 1);
      total += taken;
    }
    return total;
  }

  /** Simulates a client crash. */
  crash(error: unknown, restarting: boolean): void {
    this.#listener!.crashed(error, restarting);
  }

  pause(partitions: readonly TopicPartition[]): void {
    for (const p of partitions) this.paused.add(`${p.topic}/${p.partition}`);
  }

  resume(partitions: readonly TopicPartition[]): void {
    for (const p of partitions) this.paused.delete(`${p.topic}/${p.partition}`);
  }

  seek(partition: TopicPartition, offset: string): void {
    this.#positions.set(`${partition.topic}/${partition.partition}`, Number(offset));
  }

  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    const refusal = this.refuseNextCommit;
    if (refusal !== undefined) {
      this.refuseNextCommit = undefined;
      throw refusal;
    }
    if (this.failCommits > 0) {
      this.failCommits--;
      throw new Error('The coordinator is loading offsets (simulated)');
    }
    for (const o of offsets) this.committed.set(`${o.topic}/${o.partition}`, Number(o.offset));
    this.commits.push([...offsets]);
  }

  async committedOffsets(topic: string): Promise<readonly { partition: number; offset: string | undefined }[]> {
    return (this.#topics.get(topic) ?? []).map((_, partition) => {
      const offset = this.committed.get(`${topic}/${partition}`);
      return { partition, offset: offset === undefined ? undefined : String(offset) };
    });
  }

  async watermarks(topic: string): Promise<readonly { partition: number; low: string; high: string }[]> {
    return (this.#topics.get(topic) ?? []).map((log, partition) => ({ partition, low: '0', high: String(log.records.length) }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
  }

  #subscribed(topic: string): boolean {
    return (this.config?.topics ?? []).some((t) => (typeof t === 'string' ? t === topic : t.test(topic)));
  }

  #position(key: string, log: Log): number {
    let at = this.#positions.get(key);
    if (at === undefined) {
      at = this.committed.get(key) ?? (this.config?.fromBeginning === false ? log.records.length : 0);
      this.#positions.set(key, at);
    }
    return at;
  }

  #log(topic: string, partition: number): Log {
    const log = this.#topics.get(topic)?.[partition];
    if (log === undefined) throw new RangeError(`no partition ${topic}/${partition}: call createTopic first`);
    return log;
  }
}
