/** Drives a Kafka spout over an in-memory Kafka in unit tests: no broker, no engine; the test plays both. */
import assert from 'node:assert/strict';
import { type FailReason, MetricRegistry, type SpoutOutputCollector, type TopologyContext, nullLogger } from '../../core/index.js';
import { KafkaSpout } from './kafka-spout.js';
import { MemoryKafkaSource } from './memory-source.js';
import type { KafkaSpoutOptions } from './options.js';
import { kafkaSpoutOutputs } from './outputs.js';
import { KafkaMessageId } from './partition-state.js';

export interface Emitted {
  stream: string;
  values: unknown[];
  msgId: unknown;
}

export const REASON: FailReason = { kind: 'explicit', component: 'sink', task: 3, message: 'disk full' };

export async function waitFor(check: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A spout with a memory source, a fake context and a collector that records emits. */
export class Harness {
  readonly source: MemoryKafkaSource;
  readonly emitted: Emitted[] = [];
  readonly reported: unknown[] = [];
  readonly fatal: unknown[] = [];
  readonly registry = new MetricRegistry();
  readonly spout: KafkaSpout;
  readonly outputs: Record<string, readonly string[]>;

  constructor(options: Partial<KafkaSpoutOptions> & { partitions?: number; batchSize?: number; outputs?: Record<string, readonly string[]> } = {}) {
    const { partitions = 2, batchSize = 100, outputs, ...spoutOptions } = options;
    this.source = new MemoryKafkaSource({ batchSize });
    this.source.createTopic('t', partitions);
    this.outputs = outputs ?? kafkaSpoutOutputs();
    this.spout = new KafkaSpout({
      brokers: ['127.0.0.1:9092'],
      groupId: 'g',
      topics: ['t'],
      commitIntervalMs: 60_000,
      pollTimeoutMs: 5,
      retry: spoutOptions.processingGuarantee === undefined || spoutOptions.processingGuarantee === 'at-least-once' ? { initialDelayMs: 1, maxDelayMs: 4, maxRetries: 2 } : undefined,
      source: this.source.factory(),
      ...spoutOptions,
    });
  }

  readonly collector: SpoutOutputCollector = {
    emit: (values, msgId) => void this.emitted.push({ stream: 'default', values, msgId }),
    emitTo: (stream, values, msgId) => void this.emitted.push({ stream, values, msgId }),
    emitDirect: () => assert.fail('the spout never emits direct'),
    reportError: (error) => void this.reported.push(error),
    reportFatalError: (error) => void this.fatal.push(error),
  };

  context(): TopologyContext {
    return {
      topologyName: 'test',
      componentId: 'kafka',
      taskId: 1,
      taskIndex: 0,
      componentTasks: [1],
      config: { batchSize: 1000 },
      logger: nullLogger,
      metrics: this.registry.group({ component: 'kafka' }),
      tasksOf: (id) => (id === 'kafka' ? [1] : []),
      outputFields: (stream = 'default') => this.outputs[stream] ?? [],
    };
  }

  async open(): Promise<this> {
    await this.spout.open(this.context(), this.collector);
    return this;
  }

  produce(partition: number, values: readonly (string | null)[]): void {
    for (const v of values) this.source.produce('t', partition, v);
  }

  /** Pumps the source and polls the spout until nothing more comes out. */
  async poll(): Promise<Emitted[]> {
    const before = this.emitted.length;
    // Two quiet rounds in a row: a partition may still have been starting during the first.
    for (let round = 0, quiet = 0; round < 1000 && quiet < 2; round++) {
      const pumped = await this.source.pump();
      const emittedBefore = this.emitted.length;
      await this.spout.nextTuple();
      quiet = pumped === 0 && this.emitted.length === emittedBefore ? quiet + 1 : 0;
    }
    return this.emitted.slice(before);
  }

  /** Polls the spout until `check` holds, within a deadline. */
  async pollUntil(check: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 2000;
    while (!check()) {
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
      await this.source.pump();
      await this.spout.nextTuple();
    }
  }

  ids(stream = 'default'): KafkaMessageId[] {
    return this.emitted.filter((e) => e.stream === stream).map((e) => e.msgId as KafkaMessageId);
  }

  counter(name: string, labels: Record<string, string> = {}): number {
    const family = [...this.registry.families()].find((f) => f.name === `squall_${name}`);
    for (const s of family?.series.values() ?? []) if (Object.entries(labels).every(([k, v]) => s.labels[k] === v)) return (s.metric as { value: number }).value;
    return 0;
  }
}
