/**
 * Webrequest refinement, after Wikimedia's production pipeline:
 *
 *   source ─▶ refine [canonicalize ─▶ geotag ─▶ anonymize] ─▶ refined sink (Avro or NDJSON, year=/month=/day=/hour=)
 *                  ├─▶ sequence check (per host and hour) ─▶ sequence-stats files
 *                  ├─▶ pageview counts (per project and page) ─▶ hourly dump files
 *                  └─▶ errors (reason, IPs redacted) ─▶ error files
 *
 * `refine` fuses the three stateless, CPU-bound stages into one component that runs them over
 * batches, in a thread pool (`threads`) or on the main thread: one hop instead of three, and with
 * threads the refining leaves the main thread, which keeps the engine, the sink and side streams. Each stage keeps its own module
 * and tests (bolts/webrequest/canonicalize.ts, geotag.ts, anonymize.ts; see refine-bolt.ts).
 *
 *   npx nimbus local topologies/webrequest.ts                         # synthetic traffic, nothing installed
 *   npx nimbus local topologies/webrequest.ts -c input=requests.ndjson -c output=out/wr -c format=ndjson
 *   npx nimbus local topologies/webrequest.ts -c 'input=/var/log/webrequest/*.gz' --follow
 *   npx nimbus local topologies/webrequest.ts -c input=kafka -c redis=127.0.0.1:6379 -c hdfs=http://127.0.0.1:9870 -c output=/wmf/webrequest
 *
 * Config (`-c key=value`; declared, with types and ranges, in webrequest-config.ts, and listed by
 * `nimbus local topologies/webrequest.ts --help`):
 * - `input`: `generator` (default), `kafka`, or varnishkafka NDJSON lines from a file, a directory
 *   of files or a glob (`logs/*.gz`; plain, gzip or zstd, read in name order), or `-` for stdin.
 * - `follow` (false; or `--follow`): keep reading the files that appear in the input directory.
 * - `records` (generator, default 100000), `seed` (1), `hosts` (8), `malformedShare` (0.01).
 * - `brokers` (`127.0.0.1:9092`), `topics` (`webrequest_text,webrequest_upload`), `groupId` (`webrequest-refine`),
 *   `sessionTimeoutMs` (10000) and `heartbeatIntervalMs` (3000). Several processes may share one
 *   group and one output: each partition is fenced by its owner (docs/exactly-once.md).
 * - `output`: the output directory (default `out/webrequest`); on HDFS when `hdfs` names a WebHDFS URL.
 * - `hdfsUser` (`squall`), `hdfsBlockSize` (the cluster's): the HDFS user and the block size of the files written.
 * - `storageDeadlineMs` (300000): how long writers wait for a full disk or quota before the run stops.
 * - `format`: `avro` (default, snappy) or `ndjson`.
 * - `redis`: keep salts in this Redis (`host:port`); otherwise they live only in process memory.
 *   `saltStoreDeadlineMs` (120000): while it cannot be reached, refine holds its input this long, then the run stops.
 * - `threads`: refine threads; 0 refines on the main thread (default: the cores but one).
 * - `saltRotationMs` (one day), `refineParallelism` (1), `alertPercentLost` (0.5).
 * - `sequenceResetJump` (1e9), `sequenceResetDrop` (1000), `sequenceResetBelow` (1e6): when a host's sequence counter restarted
 *   (see bolts/webrequest/sequence-reset-rule.ts).
 * - Event time (core/event-time, docs/webrequest.md): `eventTimeMaxAheadMs` (10 min), `eventTimeMaxAgeMs`
 *   (7 days), `eventTimeReference` (`wall-clock` with `input=kafka`, else `stream`), `allowedLatenessMs`
 *   (10 min), `idlePartitionMs` (10 min). One policy and one low watermark for every hourly output.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { type ConfigOf, type EventTimePolicy, type TopologyContext, all, configurable, eventTimePolicyOf, fields, global, shuffle, topology } from '../core/index.js';
import { WEBREQUEST_CONFIG } from './webrequest-config.js';
import { webrequestReport } from './webrequest-report.js';
import { errorKindOf } from '../bolts/webrequest/error-kind.js';
import { ERROR_FIELDS, PAGEVIEW_FIELDS, RECORD_FIELDS, SEQUENCE_FIELDS, WATERMARK_FIELDS, valueText } from '../bolts/webrequest/streams.js';
import { RefineBolt } from '../bolts/webrequest/refine-bolt.js';
import { SequenceCheckBolt } from '../bolts/webrequest/sequence-check-bolt.js';
import { FileSequenceStatsOutput } from '../bolts/webrequest/sequence-stats-output.js';
import { PAGEVIEW_CLOSED_FIELDS, PageviewCountBolt } from '../bolts/webrequest/pageview-count-bolt.js';
import { FilePageviewParts } from '../bolts/webrequest/pageview-dump-files.js';
import { PageviewDumpWriterBolt } from '../bolts/webrequest/pageview-dump-writer-bolt.js';
import { NdjsonOutputBolt } from '../bolts/webrequest/ndjson-output-bolt.js';
import { FileCheckpointStore } from '../bolts/webrequest/checkpoint-store.js';
import { redactIps } from '../bolts/webrequest/redact.js';
import { webrequestRefinedAvroType } from '../bolts/webrequest/schema-avro.js';
import {
  AvroContainerFormat,
  type FileSystem,
  HDFS_SINK_OUTPUTS,
  HdfsSinkBolt,
  LocalFileSystem,
  NdjsonFormat,
  OutputPartitionFence,
  WebHdfsFileSystem,
} from '../bolts/hdfs/index.js';
import { SOURCE_OUTPUTS } from '../spouts/source-record.js';
import { NdjsonFileSpout } from '../spouts/file/index.js';
import { type OutputScan, scanOutput, sourceKey } from '../bolts/hdfs/index.js';
import { GeneratorSpout } from '../spouts/generator/generator-spout.js';
import { WebrequestGenerator } from '../spouts/generator/index.js';
import { KafkaSpout } from '../spouts/kafka/index.js';

/** The checked config: the declared defaults, with the given values over them. */
type Config = ConfigOf<typeof WEBREQUEST_CONFIG>;


/** One filesystem per process for the side outputs: WebHDFS when `hdfs` is set, else local. */
let sharedFs: FileSystem | undefined;
function fileSystemOf(config: Config): FileSystem {
  sharedFs ??= config.hdfs === undefined ? new LocalFileSystem() : new WebHdfsFileSystem({ url: config.hdfs, user: config.hdfsUser, ...(config.hdfsBlockSize === undefined ? {} : { blockSize: config.hdfsBlockSize }) });
  return sharedFs;
}

function outputRoot(config: Config): string {
  return config.hdfs === undefined ? resolve(config.output) : config.output;
}

function sourceSpout(config: Config, context: { taskId: number }) {
  const input = config.input;
  if (input === 'kafka') {
    const fs = fileSystemOf(config);
    const refined = `${outputRoot(config)}/webrequest`;
    return new KafkaSpout({
      brokers: config.brokers.split(','),
      groupId: config.groupId,
      topics: config.topics.split(','),
      valueFormat: 'string',
      // Exactly-once across restarts, rebalances and pauses: each partition is acquired through
      // the refined output's fence. It starts at the group's committed offset, not past what the
      // refined output holds: the side outputs may not hold those records yet, and every output
      // skips the replays it holds (docs/exactly-once.md).
      fence: new OutputPartitionFence(() => fs, refined, { resumeFrom: 'group' }),
      sessionTimeoutMs: config.sessionTimeoutMs,
      heartbeatIntervalMs: config.heartbeatIntervalMs,
    });
  }
  if (input === 'generator') {
    const generator = new WebrequestGenerator({
      seed: config.seed + context.taskId,
      hosts: config.hosts,
      malformedShare: config.malformedShare,
    });
    return new GeneratorSpout({
      next: (i, ctx) => ['generator', ctx.taskIndex, i, null, generator.nextLine(), Date.now(), {}, null],
      limit: config.records,
    });
  }
  // Files or stdin. Exactly-once per file: each file is a source of its own (named by its first
  // line, so a renamed or compressed rotated file is the same one); it starts after what the
  // state under _state/file-source says is done (acked by every output), or, when the state
  // knows nothing of it, after what the refined sink committed.
  const fs = fileSystemOf(config);
  return new NdjsonFileSpout({
    path: input,
    follow: config.follow,
    state: new FileCheckpointStore(fs, `${outputRoot(config)}/_state/file-source`),
    ...resumeFilesAfterCommitted(fs, `${outputRoot(config)}/webrequest`),
  });
}

/**
 * Where a file starts, and the file sources the refined output holds (so a rotated file is found
 * under its first name even when the state is lost). A file the state says is done through some
 * line starts right after it: every output holds what is acked, while the refined output may hold
 * more than the side outputs, which skip the replays they hold themselves. A file the state knows
 * nothing of starts after what the refined output committed (`resumeAfterCommitted`). The output is listed
 * once, when the first file starts, instead of once per file (a directory of a thousand hourly
 * files would list it a thousand times): what is committed after that is this run's own.
 */
function resumeFilesAfterCommitted(fs: FileSystem, root: string) {
  let scan: Promise<OutputScan> | undefined;
  const scanned = () =>
    (scan ??= scanOutput(fs, root).catch((error: unknown) => {
      scan = undefined;
      throw error;
    }));
  return {
    knownTopics: async () => [...(await scanned()).committed.keys()].map((key) => key.slice(0, key.lastIndexOf('/'))),
    startOffsets: async (topic: string, partition: number, position: { readonly committedOffset: string | undefined }) => {
      const from = Number(position.committedOffset ?? 1);
      if (from > 1) return String(from);
      const ranges = (await scanned()).committed.get(sourceKey(topic, partition));
      return String(ranges === undefined ? from : ranges.nextMissing(from));
    },
  };
}

/**
 * Refine threads when `threads` is not set: the cores but one (the main thread keeps the engine,
 * the sink and the side streams, and refines a batch itself when the threads are busy); none on
 * one core. Measured on 2 cores (bench/RESULTS.md), with records encoded in the threads: one
 * thread 0.82x the tight loop, none 0.63x.
 */
export function defaultRefineThreads(cores: number = availableParallelism()): number {
  return Math.max(0, cores - 1);
}

/**
 * The event-time policy of every hourly output. Bounds are measured from the wall clock when
 * reading Kafka (a live stream), and from each partition's own progress when reading files or
 * generated traffic (old logs, synthetic time); `eventTimeReference` chooses either way.
 */
export function eventTimePolicy(config: Config): EventTimePolicy {
  return eventTimePolicyOf(config, { reference: config.input === 'kafka' ? 'wall-clock' : 'stream' });
}

export default configurable(WEBREQUEST_CONFIG, (config) => {
  const root = outputRoot(config);
  const fs = () => fileSystemOf(config);
  const refineParallelism = config.refineParallelism;
  const threads = config.threads ?? defaultRefineThreads();
  const maxSpoutPending = config.maxSpoutPending;
  const eventTime = eventTimePolicy(config);
  const format = config.format === 'ndjson' ? new NdjsonFormat() : new AvroContainerFormat({ schema: webrequestRefinedAvroType });
  return topology('webrequest', { maxSpoutPending, messageTimeoutMs: 60_000 })
    .spout('source', { create: ({ taskId }) => sourceSpout(config, { taskId }), outputs: SOURCE_OUTPUTS })
    // canonicalize → geotag → anonymize, fused: batches of lines, refined in the worker's threads
    // (the process's one pool, shared by every bolt that declares threads) or inline.
    .bolt('refine', {
      threads,
      // Records leave refine encoded in the sink's format: the encoding runs with the refining.
      // Event time is bounded here, once; the low watermark goes to every hourly output.
      // With Kafka, the partitions read before a restart hold the watermark until they are read again.
      create: () =>
        new RefineBolt({
          encode: format.encoding,
          eventTime,
          ...(config.input === 'kafka' ? { knownSources: (ctx: TopologyContext) => new FileCheckpointStore(fs(), `${root}/_state/refine-sources-${ctx.taskId}`) } : {}),
        }),
      parallelism: refineParallelism,
      // A tick lets the watermark move when a partition has gone idle.
      tickIntervalMs: 1_000,
      inputs: [{ from: 'source', grouping: shuffle() }],
      outputs: { default: RECORD_FIELDS, errors: ERROR_FIELDS, sequence: SEQUENCE_FIELDS, pageviews: PAGEVIEW_FIELDS, watermark: WATERMARK_FIELDS },
    })
    .bolt('refined', {
      create: () =>
        new HdfsSinkBolt({
          fileSystem: fs(),
          root: `${root}/webrequest`,
          format,
          hive: { table: 'webrequest' },
          // The event time canonicalize already parsed from dt, in epoch milliseconds.
          timeField: 'ts',
          // Commit well before the spouts' maxSpoutPending is all waiting here for its ack.
          maxHeldTuples: Math.floor(maxSpoutPending / 4),
          // Chunks of 256 KiB rather than 1 MiB: encoding a chunk stays in the CPU's cache.
          writeBufferBytes: 256 * 1024,
          // _SUCCESS by the same rule as the other hourly outputs: per-partition watermarks, idle partitions, lateness.
          availability: { lagMs: eventTime.allowedLatenessMs, idleSourceMs: eventTime.idleTimeoutMs },
        }),
      // Each source partition is written by one task, so its offsets stay contiguous.
      inputs: [{ from: 'refine', grouping: fields('topic', 'partition') }],
      outputs: HDFS_SINK_OUTPUTS,
    })
    .bolt('sequence-check', {
      // Writes its own hourly files (one name per hour and task, so a rewrite replaces) before it
      // checkpoints, and acks only what a checkpoint holds.
      create: () =>
        new SequenceCheckBolt({
          checkpoints: (ctx: TopologyContext) => new FileCheckpointStore(fs(), `${root}/_state/sequence-check-${ctx.taskId}`),
          output: (ctx: TopologyContext) => new FileSequenceStatsOutput(fs(), `${root}/sequence-stats`, ctx.taskId),
        }),
      tickIntervalMs: 10_000,
      inputs: [
        { from: 'refine', stream: 'sequence', grouping: fields('hostname') },
        { from: 'refine', stream: 'watermark', grouping: all() },
      ],
      outputs: { default: ['stats'], alerts: ['stats'] },
    })
    .bolt('pageview-counts', {
      // Keyed by source offsets: its checkpoint holds which were counted, so a replay is not counted again.
      create: () =>
        new PageviewCountBolt({
          checkpoints: (ctx: TopologyContext) => new FileCheckpointStore(fs(), `${root}/_state/pageview-counts-${ctx.taskId}`),
          parts: (ctx: TopologyContext) => new FilePageviewParts(fs(), `${root}/pageviews`, ctx.taskId),
        }),
      parallelism: 2,
      tickIntervalMs: 10_000,
      inputs: [
        { from: 'refine', stream: 'pageviews', grouping: fields('domain_code', 'page_title') },
        { from: 'refine', stream: 'watermark', grouping: all() },
      ],
      outputs: { default: PAGEVIEW_CLOSED_FIELDS, errors: ERROR_FIELDS },
    })
    .bolt('pageview-dumps', {
      create: () => new PageviewDumpWriterBolt({ fs, dir: `${root}/pageviews`, counter: 'pageview-counts' }),
      inputs: [{ from: 'pageview-counts', grouping: global() }],
    })
    .bolt('errors', {
      create: () =>
        new NdjsonOutputBolt({
          fs,
          dir: `${root}/errors`,
          name: 'errors',
          toObject: (t) => ({ reason: t.get('reason'), origin: t.get('origin'), from: t.sourceComponent, value: redactIps(valueText(t.get('value'))) }),
          // Keyed by source offsets: one error record per input record and component that sent it,
          // however often the input is read (replays, kills, re-runs). An origin with source
          // coordinates (topic/partition@offset, a late pageview's too) names one record.
          identity: (r) => (/[@#]/.test(String(r.origin)) ? `${String(r.from)} ${String(r.origin)}` : undefined),
          // Counted by kind of reason, for the summary's closing block.
          kindOf: (r) => errorKindOf(String(r.reason)),
        }),
      tickIntervalMs: 10_000,
      inputs: [
        { from: 'source', stream: 'errors', grouping: shuffle() },
        { from: 'refine', stream: 'errors', grouping: shuffle() },
        { from: 'refined', stream: 'errors', grouping: shuffle() },
        { from: 'pageview-counts', stream: 'errors', grouping: shuffle() },
      ],
    })
    .report(webrequestReport(root, config.hdfs))
    .build();
});
