/**
 * Test doubles for driving an {@link HdfsSinkBolt} without an engine: tuples, a collector that
 * records acks, fails and emits, and a task context. Used by the sink's unit tests.
 */
import avro from 'avsc';
import { MetricRegistry, nullLogger, type OutputCollector, type TopologyContext, type Tuple } from '../../core/index.js';
import { avroDecoderCodecs } from './avro-codecs.js';
import { HDFS_SINK_OUTPUTS } from './hdfs-sink-bolt.js';

const FIELDS = Object.freeze(['record', 'topic', 'partition', 'offset']);

/** A tuple on a stream of `record, topic, partition, offset` (or the given fields). */
export function sourceTuple(record: unknown, topic: string, partition: number, offset: number | string, fields: readonly string[] = FIELDS): Tuple {
  const values = [record, topic, partition, offset];
  return {
    values,
    fields,
    sourceComponent: 'source',
    sourceStream: 'default',
    sourceTask: 1,
    get: <T>(f: string) => values[fields.indexOf(f)] as T,
    isTick: () => false,
  };
}

/** A tick tuple. */
export function tickTuple(): Tuple {
  return { values: [], fields: [], sourceComponent: '__system', sourceStream: '__tick', sourceTask: -1, get: () => undefined as never, isTick: () => true };
}

/** Records what a bolt did with its tuples. */
export class RecordingCollector implements OutputCollector {
  readonly acked: Tuple[] = [];
  readonly failed: { tuple: Tuple; reason: string | Error | undefined }[] = [];
  readonly emitted: { stream: string; values: unknown[]; anchors: unknown }[] = [];
  readonly errors: unknown[] = [];
  emit(values: unknown[], anchors?: unknown): void {
    this.emitted.push({ stream: 'default', values, anchors });
  }
  emitTo(stream: string, values: unknown[], anchors?: unknown): void {
    this.emitted.push({ stream, values, anchors });
  }
  emitDirect(_task: number, stream: string, values: unknown[], anchors?: unknown): void {
    this.emitted.push({ stream, values, anchors });
  }
  ack(tuple: Tuple): void {
    this.acked.push(tuple);
  }
  fail(tuple: Tuple, reason?: string | Error): void {
    this.failed.push({ tuple, reason });
  }
  reportError(error: unknown): void {
    this.errors.push(error);
  }
  /** What `holdInput` was told: the cause's code, or undefined when the hold ended. */
  readonly holds: (string | undefined)[] = [];
  readonly fatal: unknown[] = [];
  holdInput(cause: Error | undefined): void {
    this.holds.push(cause === undefined ? undefined : (cause as { code?: string }).code);
  }
  reportFatalError(error: unknown): void {
    this.fatal.push(error);
  }
  /** Offsets of the acked tuples, sorted. */
  ackedOffsets(): number[] {
    return this.acked.map((t) => Number(t.values[3])).sort((a, b) => a - b);
  }
  onStream(stream: string): unknown[][] {
    return this.emitted.filter((e) => e.stream === stream).map((e) => e.values);
  }
}

/** A task context with the sink's outputs declared. */
export function sinkContext(options: { config?: Record<string, unknown>; taskIndex?: number; tasks?: number; registry?: MetricRegistry; outputs?: Record<string, readonly string[]> } = {}): TopologyContext {
  const outputs: Record<string, readonly string[]> = options.outputs ?? HDFS_SINK_OUTPUTS;
  const tasks = Array.from({ length: options.tasks ?? 1 }, (_, i) => i + 1);
  const registry = options.registry ?? new MetricRegistry();
  return {
    topologyName: 'test',
    componentId: 'hdfs',
    taskId: (options.taskIndex ?? 0) + 1,
    taskIndex: options.taskIndex ?? 0,
    componentTasks: tasks,
    config: { messageTimeoutMs: 30_000, maxSpoutPending: 100_000, ...options.config },
    logger: nullLogger,
    metrics: registry.group({ topology: 'test', component: 'hdfs', task: String((options.taskIndex ?? 0) + 1) }),
    tasksOf: () => tasks,
    outputFields: (stream = 'default') => outputs[stream] ?? [],
  };
}

/** A small Avro schema for tests. */
export const TEST_SCHEMA = {
  type: 'record',
  name: 'Event',
  namespace: 'org.squall.test',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'dt', type: 'string' },
    { name: 'text', type: 'string' },
    { name: 'tags', type: { type: 'map', values: 'string' } },
  ],
} as const;

/** Every record of an Avro container file, read by avsc's own decoder. */
export async function readAvro(path: string): Promise<{ records: unknown[]; codec: string }> {
  const records: unknown[] = [];
  let codec = '';
  await new Promise<void>((resolve, reject) =>
    avro
      .createFileDecoder(path, { codecs: avroDecoderCodecs() as never })
      .on('metadata', (_type: unknown, c: string) => (codec = c))
      .on('data', (r: unknown) => records.push(r))
      .on('end', resolve)
      .on('error', reject),
  );
  return { records, codec };
}

/** Every file under `dir` (recursively), as paths relative to it, sorted. */
export async function listTree(dir: string): Promise<string[]> {
  const { readdir } = await import('node:fs/promises');
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => `${(e.parentPath ?? (e as unknown as { path: string }).path).slice(dir.length + 1)}/${e.name}`.replace(/^\//, ''))
    .sort();
}

/** An ISO time in hour `hour` of 2024-01-15 (UTC), `minute` minutes in. */
export function at(hour: number, minute = 0, second = 0, ms = 0): string {
  return new Date(Date.UTC(2024, 0, 15, hour, minute, second, ms)).toISOString();
}

/** Every record of an Avro container file held in memory, read by avsc's own decoder. */
export async function decodeAvro(bytes: Buffer): Promise<unknown[]> {
  const records: unknown[] = [];
  await new Promise<void>((resolve, reject) => {
    const decoder = new avro.streams.BlockDecoder({ codecs: avroDecoderCodecs() as never });
    decoder.on('data', (r: unknown) => records.push(r)).on('end', resolve).on('error', reject);
    decoder.end(bytes);
  });
  return records;
}
