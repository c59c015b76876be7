/**
 * The options of {@link HdfsSinkBolt}: what users set, the frozen defaults, and the one function
 * that fills and validates them against the topology's config.
 */
import type { TopologyContext } from '../../core/index.js';
import { type AvailabilityOptions, DEFAULT_AVAILABILITY_OPTIONS } from './data-availability.js';
import { HdfsErrorCodes, hdfsError } from './errors.js';
import { type FileNameFormat, OffsetRangeFileNameFormat } from './file-name-format.js';
import { baseName, type FileSystem } from './file-system.js';
import { type HiveTableOptions, repeatedPartitionColumns } from './hive-ddl.js';
import { NdjsonFormat } from './ndjson-format.js';
import { HourlyPartitioner, type Partitioner } from './partitioner.js';
import type { BatchSpec } from './batch-encoder.js';
import type { RecordFormat } from './record-format.js';
import avro from 'avsc';
import { AgeRotationPolicy, anyOf, type OpenFileStats, type RotationOptions, type RotationPolicy, rotationPolicy } from './rotation-policy.js';

/** The input fields the sink reads. */
export interface HdfsSinkFields {
  /** The record to write: an object, or its bytes or text with the `input` option. @default 'record' */
  readonly record?: string;
  /** The source topic (for a file source, the file name). @default 'topic' */
  readonly topic?: string;
  /** The source partition, a whole number (a file source uses 0). @default 'partition' */
  readonly partition?: string;
  /** The offset in the source partition: a whole number or a decimal string. @default 'offset' */
  readonly offset?: string;
  /**
   * The lease the record was read under (a Kafka spout with a `fence` emits it; see
   * docs/exactly-once.md). Optional in the input: a stream without this field, or a null value,
   * is an unleased source. @default 'lease'
   */
  readonly lease?: string;
}

export interface HdfsSinkOptions {
  /**
   * Where to write. A factory is called once per task on `prepare`, and the task closes what it
   * made on `cleanup`; an instance is shared and left open for its owner to close.
   */
  readonly fileSystem: FileSystem | ((context: TopologyContext) => FileSystem);
  /** The output directory, an absolute path: partitions go below it. */
  readonly root: string;
  /** @default new NdjsonFormat() */
  readonly format?: RecordFormat;
  /**
   * What the record field holds: `'record'`, an object; or the record still encoded, as JSON
   * text (a string or UTF-8 bytes) or binary Avro of a schema. Encoded records are decoded,
   * placed and encoded in batches, on `threads` threads: a Kafka spout with `valueFormat:
   * 'buffer'` can then pass records through without decoding them on its own thread. Encoded
   * input needs a built-in format (Avro container or NDJSON) and the default partitioner; a value
   * that cannot be decoded goes to the `errors` stream with the reason.
   * @default 'record'
   */
  readonly input?: 'record' | 'json' | { readonly avro: avro.Schema | avro.Type };
  /** Threads that decode and encode batches of encoded input (0: the task's own thread). @default 0 */
  readonly threads?: number;
  /** Records per batch of encoded input. @default 512 */
  readonly batchRecords?: number;
  /**
   * Encoded input: top-level fields whose values are replaced by `-` before a record is written,
   * so that personal data such as client IPs (`['ip', 'x_forwarded_for']`) never reaches the
   * output files. The `errors` stream still carries rejected values as they came: redact what
   * you write from it. @default [] (none)
   */
  readonly maskFields?: readonly string[];
  /** @default new HourlyPartitioner({ timeField }) */
  readonly partitioner?: Partitioner;
  /** The event-time field of the default partitioner. @default 'dt' */
  readonly timeField?: string;
  /** @default new OffsetRangeFileNameFormat() */
  readonly fileNames?: FileNameFormat;
  /**
   * When to commit a file: limits (any combination) or a policy. A policy without an age bound
   * gets one. @default { maxBytes: 128 MiB, maxAgeMs: messageTimeoutMs / 2 }
   */
  readonly rotation?: RotationOptions | RotationPolicy;
  /** Input field names. @default { record: 'record', topic: 'topic', partition: 'partition', offset: 'offset' } */
  readonly fields?: HdfsSinkFields;
  /** Encoded bytes buffered per file before they are sent to the filesystem. @default 1048576 (1 MiB) */
  readonly writeBufferBytes?: number;
  /**
   * Commit every open file once they hold this many tuples waiting for their ack. One generation
   * of files commits while the next fills, so a task holds up to twice this many; the default
   * keeps that within the spout's `maxSpoutPending` and leaves the spout room to keep emitting
   * while a generation commits.
   * @default the topology's maxSpoutPending divided by twice the sink's task count
   */
  readonly maxHeldTuples?: number;
  /** `_SUCCESS` flags per complete partition; `false` turns them off. @default {} (on) */
  readonly availability?: AvailabilityOptions | false;
  /** The Hive table; `false` writes no DDL. @default { table: <root's last name> } */
  readonly hive?: HiveTableOptions | false;
  /** How long `cleanup` may take before it abandons open files (they are replayed), in ms. @default 10000 */
  readonly closeTimeoutMs?: number;
  /** Interval of the rotation and availability timer, in ms. @default min(1000, maxAgeMs / 4) */
  readonly timerIntervalMs?: number;
}

/** The defaults of the plain options, documented on {@link HdfsSinkOptions}. */
export const DEFAULT_HDFS_SINK_OPTIONS = Object.freeze({
  timeField: 'dt',
  fields: Object.freeze({ record: 'record', topic: 'topic', partition: 'partition', offset: 'offset', lease: 'lease' }),
  maxBytes: 128 * 2 ** 20,
  writeBufferBytes: 2 ** 20,
  closeTimeoutMs: 10_000,
});

/** Options filled in and checked. */
export interface CompiledSinkOptions {
  readonly root: string;
  readonly format: RecordFormat;
  readonly partitioner: Partitioner;
  readonly fileNames: FileNameFormat;
  readonly rotation: RotationPolicy & { readonly maxAgeMs: number };
  readonly fields: Readonly<Required<HdfsSinkFields>>;
  readonly writeBufferBytes: number;
  readonly maxHeldTuples: number;
  readonly availability: Readonly<Required<AvailabilityOptions>> | undefined;
  readonly hive: (HiveTableOptions & { readonly location: string }) | undefined;
  readonly closeTimeoutMs: number;
  readonly timerIntervalMs: number;
  /** Encoded input: what the batch encoder needs; undefined for record input. */
  readonly batch: { readonly spec: BatchSpec; readonly threads: number; readonly records: number } | undefined;
}

function invalid(component: string, message: string): Error {
  return hdfsError(HdfsErrorCodes.INVALID_OPTIONS, `HDFS sink '${component}': ${message}`, { component });
}

function positiveNumber(component: string, name: string, value: unknown, unit: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw invalid(component, `${name} is ${JSON.stringify(value)}: use a positive number of ${unit}`);
  return value;
}

function isPolicy(r: RotationOptions | RotationPolicy): r is RotationPolicy {
  return typeof (r as RotationPolicy).shouldRotate === 'function';
}

/** Fills `options` from the defaults and the topology config, and validates them together. */
export function compileSinkOptions(options: HdfsSinkOptions, context: Pick<TopologyContext, 'componentId' | 'config' | 'componentTasks'>): CompiledSinkOptions {
  const c = context.componentId;
  if (typeof options.root !== 'string' || !options.root.startsWith('/')) {
    throw invalid(c, `root is ${JSON.stringify(options.root)}: use an absolute path such as /wmf/data/raw/webrequest`);
  }
  const root = options.root.length > 1 ? options.root.replace(/\/+$/, '') : options.root;
  const messageTimeoutMs = Number(context.config.messageTimeoutMs ?? 30_000);
  const maxSpoutPending = Number(context.config.maxSpoutPending ?? 1000);

  const r = options.rotation ?? {};
  let rotation: RotationPolicy;
  if (isPolicy(r)) {
    rotation = r.maxAgeMs === undefined ? anyOf(r, new AgeRotationPolicy(messageTimeoutMs / 2)) : r;
  } else {
    rotation = rotationPolicy({ maxBytes: r.maxBytes ?? DEFAULT_HDFS_SINK_OPTIONS.maxBytes, maxRecords: r.maxRecords, maxAgeMs: r.maxAgeMs ?? messageTimeoutMs / 2 });
  }
  const maxAgeMs = rotation.maxAgeMs!;
  if (maxAgeMs >= messageTimeoutMs) {
    throw invalid(c, `rotation maxAgeMs (${maxAgeMs} ms) must be below messageTimeoutMs (${messageTimeoutMs} ms): tuples are acked only when their file is committed, so lower maxAgeMs or raise messageTimeoutMs (about twice maxAgeMs)`);
  }

  const fields = { ...DEFAULT_HDFS_SINK_OPTIONS.fields, ...options.fields };
  const names = Object.values(fields);
  if (new Set(names).size !== names.length || names.some((n) => typeof n !== 'string' || n === '')) {
    throw invalid(c, `fields ${JSON.stringify(fields)}: name five different, non-empty input fields`);
  }

  const writeBufferBytes = positiveNumber(c, 'writeBufferBytes', options.writeBufferBytes ?? DEFAULT_HDFS_SINK_OPTIONS.writeBufferBytes, 'bytes');
  const maxHeldTuples = positiveNumber(c, 'maxHeldTuples', options.maxHeldTuples ?? Math.max(1, Math.floor(maxSpoutPending / (2 * Math.max(1, context.componentTasks.length)))), 'tuples');
  const closeTimeoutMs = positiveNumber(c, 'closeTimeoutMs', options.closeTimeoutMs ?? DEFAULT_HDFS_SINK_OPTIONS.closeTimeoutMs, 'milliseconds');
  const timerIntervalMs = positiveNumber(c, 'timerIntervalMs', options.timerIntervalMs ?? Math.max(10, Math.min(1000, maxAgeMs / 4)), 'milliseconds');

  let availability: Required<AvailabilityOptions> | undefined;
  if (options.availability !== false) {
    availability = { ...DEFAULT_AVAILABILITY_OPTIONS, ...options.availability };
    for (const k of ['idleSourceMs', 'checkIntervalMs'] as const) positiveNumber(c, `availability.${k}`, availability[k], 'milliseconds');
    if (typeof availability.lagMs !== 'number' || !(availability.lagMs >= 0)) throw invalid(c, `availability.lagMs is ${availability.lagMs}: use 0 or more milliseconds`);
  }

  const hive =
    options.hive === false
      ? undefined
      : { table: options.hive?.table ?? (baseName(root).replace(/[^A-Za-z0-9_]/g, '_') || 'squall_output'), ...options.hive, location: options.hive?.location ?? root };

  const format = options.format ?? new NdjsonFormat();
  const timeField = options.timeField ?? DEFAULT_HDFS_SINK_OPTIONS.timeField;
  let batch: CompiledSinkOptions['batch'];
  const input = options.input ?? 'record';
  if (input !== 'record') {
    if (format.encoding === undefined) throw invalid(c, `input ${JSON.stringify(input === 'json' ? input : 'avro')} needs a built-in format (AvroContainerFormat or NdjsonFormat); format '${format.name}' can only take records: use input 'record'`);
    if (options.partitioner !== undefined) throw invalid(c, 'encoded input is placed by the default hourly partitioner: drop the partitioner option (set timeField) or use input \'record\'');
    let schemaJson: string | undefined;
    if (input !== 'json') {
      if (typeof input !== 'object' || input === null || !('avro' in input)) throw invalid(c, `input is ${JSON.stringify(input)}: use 'record', 'json' or { avro: schema }`);
      const type = avro.Type.isType(input.avro) ? (input.avro as avro.Type) : avro.Type.forSchema(input.avro as avro.Schema);
      schemaJson = JSON.stringify(type.schema({ exportAttrs: true }));
    }
    const threads = options.threads ?? 0;
    if (!Number.isInteger(threads) || threads < 0) throw invalid(c, `threads is ${JSON.stringify(threads)}: use 0 (the task's thread) or a whole number of threads`);
    const records = positiveNumber(c, 'batchRecords', options.batchRecords ?? 512, 'records');
    batch = {
      spec: {
        input: schemaJson === undefined ? { kind: 'json' } : { kind: 'avro', schemaJson },
        format: format.encoding,
        timeField,
        recordField: fields.record,
        ...(options.maskFields !== undefined && options.maskFields.length > 0 ? { maskFields: [...options.maskFields] } : {}),
      },
      threads,
      records,
    };
  } else if (options.maskFields !== undefined && options.maskFields.length > 0) {
    throw invalid(c, `maskFields masks records that arrive encoded: set input to 'json' or { avro: schema }, or remove the fields upstream`);
  } else if (options.threads !== undefined && options.threads > 0) {
    throw invalid(c, `threads (${options.threads}) encode records that arrive encoded: set input to 'json' or { avro: schema }, or drop threads`);
  }

  const partitioner = options.partitioner ?? new HourlyPartitioner({ timeField });
  const repeated = hive === undefined ? [] : repeatedPartitionColumns(format, partitioner);
  if (hive !== undefined && repeated.length > 0) {
    throw invalid(c, `the records' schema has the fields ${repeated.join(', ')}, which are also the partition columns of the Hive table '${hive.table}': Hive refuses a partition column that repeats a data column. Drop those fields from the schema (the partition directory holds them), or set hive: false`);
  }

  return Object.freeze({
    root,
    format,
    partitioner,
    fileNames: options.fileNames ?? new OffsetRangeFileNameFormat(),
    rotation: { shouldRotate: (file: OpenFileStats, now: number) => rotation.shouldRotate(file, now), maxAgeMs },
    fields,
    writeBufferBytes,
    maxHeldTuples,
    availability,
    hive,
    closeTimeoutMs,
    timerIntervalMs,
    batch,
  });
}
