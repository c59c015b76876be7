/**
 * Kafka → HDFS, pass-through and exactly-once: every record of the topics lands once in
 * committed files under `<output>/year=YYYY/month=MM/day=DD/hour=HH/part-<topic>-<partition>-<first>-<last>`,
 * partitioned by its own event time, across crashes and restarts.
 *
 *   kafka spout ──▶ hdfs sink (Avro or NDJSON, by event time; acks after each file's rename)
 *        │              │
 *        └─ errors ─────┴─▶ errors (NDJSON under <output>/_errors: value, reason, origin)
 *
 * The spout passes each value through as bytes; the sink decodes, places and encodes them in
 * batches on `threads` encoder threads, so the spout's thread only moves bytes. A value that
 * cannot be decoded (bad JSON, truncated Avro, empty) goes to the error output from the sink.
 *
 *   npx nimbus local topologies/kafka-to-hdfs.ts -c topics=webrequest_text                  # local disk, out/kafka-to-hdfs
 *   npx nimbus local topologies/kafka-to-hdfs.ts -c hdfs=http://127.0.0.1:9870 -c output=/wmf/data/raw/webrequest
 *
 * Privacy: this topology copies records, but never a client IP. The fields named by `maskFields`
 * (default `ip,x_forwarded_for`) are written as `-`, and IPs are redacted from the error output
 * (its lines then keep the rest of each value, not its exact bytes). To keep webrequests' IPs in
 * a usable but private form, refine them with `topologies/webrequest.ts`, which anonymizes them.
 * `-c maskFields=` (empty) copies records byte for byte: only for topics without personal data.
 *
 * Exactly-once comes from three places: the sink names each committed file after the offsets it
 * holds and skips replayed offsets it already has; the spout acquires each partition through
 * the output's fence (`OutputPartitionFence`), so a writer that lost the partition (a paused or
 * partitioned process) can no longer commit it; and the fence starts each partition past what
 * the sink committed, so a restart does not even read it again (docs/exactly-once.md). The error output is at-least-once: a record rejected just before a crash may
 * be listed there twice.
 *
 * Config (`-c key=value`; declared in KAFKA_TO_HDFS_CONFIG below, and listed by `nimbus local topologies/kafka-to-hdfs.ts --help`):
 * - `brokers` (`127.0.0.1:9092`), `topics` (comma-separated, `webrequest_text,webrequest_upload`),
 *   `groupId` (`kafka-to-hdfs`).
 * - `output`: the output root (default `out/kafka-to-hdfs`); on HDFS when `hdfs` names a WebHDFS
 *   URL (`hdfsUser`, default `squall`), else on the local disk, relative to the working directory.
 * - `format`: `avro` (default: the varnishkafka input schema, snappy) or `ndjson`.
 * - `valueFormat`: how Kafka values are encoded: `json` (default) or `avro` (binary Avro of the
 *   varnishkafka input schema, no container).
 * - `timeField`: the event-time field that picks the hour (default `dt`).
 * - `maskFields`: fields written as `-` (default `ip,x_forwarded_for`); empty copies records as
 *   they are (and the error output keeps exact bytes).
 * - `skipCommitted`: acquire partitions through the output's fence, starting past what the sink
 *   committed (default true). With false they start at the group's committed offset, unfenced,
 *   and the sink skips what it already has: exactly-once across crashes, not across a paused
 *   process whose partitions moved.
 * - `threads`: encoder threads of the sink (default 2, measured best on 2 cores; 0 encodes on the sink's own thread),
 *   `batchRecords` (512 records per batch).
 * - Tuning: `sinkParallelism` (1), `maxSpoutPending` (60000), `maxUncommittedOffsets` (maxSpoutPending),
 *   `maxBufferedRecords` (4096), `sessionTimeoutMs` (10000), `heartbeatIntervalMs` (3000),
 *   `commitIntervalMs` (2000), `rotationMaxBytes` (128 MiB), `rotationMaxAgeMs` (20000), `writeBufferBytes` (1 MiB).
 *   Tuples wait in the sink until their file is committed, so `maxSpoutPending` sets the file size
 *   (about maxSpoutPending / partitions records) and how often the sink stops to commit.
 */
import { resolve } from 'node:path';
import { MAX_THREADS, type Tuple, configKeys, configurable, fields, shuffle, topology } from '../core/index.js';
import { NdjsonOutputBolt } from '../bolts/webrequest/ndjson-output-bolt.js';
import { redactIps } from '../bolts/webrequest/redact.js';
import { webrequestInputAvroType } from '../bolts/webrequest/schema-avro.js';
import {
  AvroContainerFormat,
  type FileSystem,
  HDFS_SINK_OUTPUTS,
  HdfsSinkBolt,
  LocalFileSystem,
  NdjsonFormat,
  WebHdfsFileSystem,
  OutputPartitionFence,
  joinPath,
} from '../bolts/hdfs/index.js';
import { KafkaSpout, kafkaSpoutOutputs } from '../spouts/kafka/index.js';
import { checkWebHdfsUrl } from './config-checks.js';

/** The config keys (`-c key=value`), checked before anything runs; `nimbus local topologies/kafka-to-hdfs.ts --help` lists them. */
export const KAFKA_TO_HDFS_CONFIG = configKeys({
  brokers: { type: 'string', default: '127.0.0.1:9092', description: 'Kafka brokers, comma-separated' },
  topics: { type: 'string', default: 'webrequest_text,webrequest_upload', description: 'topics to copy, comma-separated' },
  groupId: { type: 'string', default: 'kafka-to-hdfs', description: 'consumer group' },
  output: { type: 'string', default: 'out/kafka-to-hdfs', description: 'output root; on HDFS when hdfs is set, else on the local disk' },
  hdfs: { type: 'string', check: checkWebHdfsUrl, defaultText: 'not set: the local disk', description: 'write to HDFS through this WebHDFS URL' },
  hdfsUser: { type: 'string', default: 'squall', description: 'HDFS user' },
  format: { type: 'string', values: ['avro', 'ndjson'], default: 'avro', description: 'output format (avro: the varnishkafka input schema, snappy)' },
  valueFormat: { type: 'string', values: ['json', 'avro'], default: 'json', description: 'how Kafka values are encoded (avro: binary, no container)' },
  timeField: { type: 'string', default: 'dt', description: 'the event-time field that picks the hour' },
  maskFields: { type: 'string', default: 'ip,x_forwarded_for', description: "fields written as '-', comma-separated; empty copies records as they are" },
  skipCommitted: { type: 'boolean', default: true, description: "acquire partitions through the output's fence, starting past what the sink committed" },
  threads: { type: 'integer', min: 0, max: MAX_THREADS, default: 2, description: "encoder threads of the sink; 0 encodes on the sink's own thread" },
  batchRecords: { type: 'integer', min: 1, default: 512, description: 'records per encoding batch' },
  sinkParallelism: { type: 'integer', min: 1, default: 1, description: 'executors of the sink' },
  maxSpoutPending: { type: 'integer', min: 1, default: 60_000, description: 'tuples in flight (engine key, with this default here); sets the file size' },
  maxUncommittedOffsets: { type: 'integer', min: 1, defaultText: 'maxSpoutPending', description: 'offsets a partition may have uncommitted' },
  maxBufferedRecords: { type: 'integer', min: 1, default: 4096, description: 'records the consumer buffers' },
  sessionTimeoutMs: { type: 'integer', min: 1, default: 10_000, description: 'consumer session timeout, in ms; a restart after a kill waits up to this for the killed member to leave the group' },
  heartbeatIntervalMs: { type: 'integer', min: 1, default: 3000, description: 'consumer heartbeat interval, in ms' },
  commitIntervalMs: { type: 'integer', min: 1, default: 2000, description: 'Kafka offset commit interval, in ms' },
  rotationMaxBytes: { type: 'integer', min: 1, default: 128 * 2 ** 20, description: 'a file is committed at this size, in bytes' },
  rotationMaxAgeMs: { type: 'integer', min: 1, default: 20_000, description: 'a file is committed at this age, in ms' },
  writeBufferBytes: { type: 'integer', min: 1, default: 2 ** 20, description: 'bytes buffered before a write' },
});

/** The directory the errors go to, beside the partitions; `_` keeps Hive and the sink's scan out of it. */
export const ERRORS_DIR = '_errors';

/** Bytes with every client IP in them redacted (binary values are read as Latin-1, so every other byte stays). */
export function redactBytes(value: Buffer): Buffer {
  const text = value.toString('utf8');
  if (Buffer.from(text, 'utf8').equals(value)) return Buffer.from(redactIps(text), 'utf8');
  return Buffer.from(redactIps(value.toString('latin1')), 'latin1');
}

/**
 * One line of the error output. A value that could not be written is kept as text when it is
 * UTF-8, else as base64, so the line says what was in Kafka: exactly, or with client IPs
 * redacted from the value and the reason when `redact` is set.
 */
export function errorLine(tuple: Tuple, redact: boolean): Record<string, unknown> {
  let value = tuple.get<unknown>('value');
  let reason = tuple.get<unknown>('reason');
  if (redact) {
    if (Buffer.isBuffer(value)) value = redactBytes(value);
    else if (typeof value === 'string') value = redactIps(value);
    else if (value !== null && value !== undefined) value = JSON.parse(redactIps(JSON.stringify(value))) as unknown;
    if (typeof reason === 'string') reason = redactIps(reason);
  }
  const line: Record<string, unknown> = { origin: tuple.get('origin'), reason, from: tuple.sourceComponent };
  if (Buffer.isBuffer(value)) {
    const text = value.toString('utf8');
    if (Buffer.from(text, 'utf8').equals(value)) line.value = text;
    else line.valueBase64 = value.toString('base64');
  } else {
    line.value = value ?? null;
  }
  return line;
}

export default configurable(KAFKA_TO_HDFS_CONFIG, (config) => {
  const hdfs = config.hdfs;
  const user = config.hdfsUser;
  const output = config.output;
  const root = hdfs === undefined ? resolve(output) : output;
  const newFileSystem = (): FileSystem => (hdfs === undefined ? new LocalFileSystem() : new WebHdfsFileSystem({ url: hdfs, user }));
  // The spout's start-offset lookups and the error output share one client; the sink opens one per task.
  let shared: FileSystem | undefined;
  const sharedFs = () => (shared ??= newFileSystem());

  const format = config.format;
  const valueFormat = config.valueFormat;
  const maskFields = config.maskFields
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  const skipCommitted = config.skipCommitted;
  const maxSpoutPending = config.maxSpoutPending;
  const rotationMaxAgeMs = config.rotationMaxAgeMs;

  return topology('kafka-to-hdfs', { maxSpoutPending, messageTimeoutMs: Math.max(60_000, rotationMaxAgeMs * 3), batchSize: 1024, queueCapacity: 4096 })
    .spout('kafka', {
      create: () =>
        new KafkaSpout({
          brokers: config.brokers.split(','),
          groupId: config.groupId,
          topics: config.topics.split(','),
          // Decoded by the sink, in its encoder threads.
          valueFormat: 'buffer',
          // Not below maxSpoutPending: a partition paused here with its tuples held in the sink, short
          // of the sink's commit threshold, would wait for the age limit to commit them.
          maxUncommittedOffsets: config.maxUncommittedOffsets ?? maxSpoutPending,
          maxBufferedRecords: config.maxBufferedRecords,
          commitIntervalMs: config.commitIntervalMs,
          sessionTimeoutMs: config.sessionTimeoutMs,
          heartbeatIntervalMs: config.heartbeatIntervalMs,
          // The sink fails a tuple only when HDFS could not take it (records it cannot write go to
          // its errors stream, acked). Giving up after some retries would divert good records to
          // the error output while HDFS is down; retry them until it is back.
          retry: { maxRetries: Infinity, maxDelayMs: 30_000 },
          // Exactly-once across restarts, rebalances and pauses: each partition is acquired through
          // the output's fence (earlier writers can no longer commit it), which also says where
          // to start: the first offset at or after the group's commit that the sink has not committed.
          fence: skipCommitted ? new OutputPartitionFence(sharedFs, root) : undefined,
        }),
      outputs: kafkaSpoutOutputs(),
    })
    .bolt('hdfs', {
      create: () =>
        new HdfsSinkBolt({
          fileSystem: newFileSystem,
          root,
          format: format === 'ndjson' ? new NdjsonFormat() : new AvroContainerFormat({ schema: webrequestInputAvroType, codec: 'snappy' }),
          timeField: config.timeField,
          fields: { record: 'value' },
          input: valueFormat === 'avro' ? { avro: webrequestInputAvroType } : 'json',
          threads: config.threads,
          batchRecords: config.batchRecords,
          maskFields,
          rotation: { maxBytes: config.rotationMaxBytes, maxAgeMs: rotationMaxAgeMs },
          writeBufferBytes: config.writeBufferBytes,
        }),
      parallelism: config.sinkParallelism,
      // One task owns each source partition, so it alone decides which of its offsets are committed.
      inputs: [{ from: 'kafka', grouping: fields('topic', 'partition') }],
      outputs: HDFS_SINK_OUTPUTS,
    })
    .bolt('errors', {
      create: () => new NdjsonOutputBolt({ fs: sharedFs, dir: joinPath(root, ERRORS_DIR), name: 'errors', toObject: (t) => errorLine(t, maskFields.length > 0) }),
      // Error tuples hold their offsets uncommitted until written: commit them every second.
      tickIntervalMs: 1000,
      inputs: [
        { from: 'kafka', stream: 'errors', grouping: shuffle() },
        { from: 'hdfs', stream: 'errors', grouping: shuffle() },
      ],
    })
    .build();
});
