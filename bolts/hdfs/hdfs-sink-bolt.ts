/**
 * The HDFS sink: writes records into files partitioned by event time, commits each file by an
 * atomic rename, and acks a tuple only once the file holding its record is committed. Committed
 * names record the topic, partition and offset range they hold, so after a crash the sink reads
 * back what is committed and skips (acks without writing) every replayed offset it already has:
 * each source offset appears in committed output exactly once.
 *
 * Each source partition must reach one sink task (a fields grouping on the partition field), so
 * that one task owns its offsets. States: created → running → closing → closed.
 *
 * Commits run in the background: a file due for commit leaves the open set and new records go to
 * a new file while it closes and is renamed. At most one generation of files commits while the
 * next fills (`maxHeldTuples` each), so HDFS's close latency overlaps with writing instead of
 * stopping it. A replayed offset that a committing file holds joins that file's tuples.
 *
 * Records may also arrive still encoded (option `input`: JSON or Avro bytes, as a Kafka spout
 * passes them through). They are then decoded, placed and encoded in batches per source
 * partition, on the task's thread or on a pool of threads (`threads`), and each batch's encoded
 * blocks are appended to the files of their hours in order.
 */
import { type Bolt, ErrorCodes, isRetriable, type Logger, messageOf, type OutputCollector, SquallError, type TopologyContext, type Tuple } from '../../core/index.js';
import type { BatchResult } from './batch-encoder.js';
import { BatchIntake, type SourceBatch } from './batch-intake.js';
import { DataAvailability } from './data-availability.js';
import { batchRunner, type BatchRunner } from './encoder-pool.js';
import { HdfsErrorCodes, hasCode, hdfsError } from './errors.js';
import { ownerTag } from './file-name-format.js';
import { type FileSystem, joinPath } from './file-system.js';
import { hiveAddPartition, hiveTableDdl } from './hive-ddl.js';
import { InProgressFile } from './in-progress-file.js';
import { OffsetRanges } from './offset-ranges.js';
import { scanOutput, sourceKey } from './output-scan.js';
import { compareLeases, leaseDir } from './partition-leases.js';
import type { Partition, Placement } from './partitioner.js';
import { badRange, EncodedRecord, encodingKey } from './encoded-record.js';
import { type CompiledSinkOptions, compileSinkOptions, type HdfsSinkOptions } from './sink-options.js';
import { createSinkMetrics, type SinkErrorKind, type SinkMetrics } from './sink-metrics.js';
import { SourceCoordinatesReader } from './source-coordinates.js';

/** Fields of the sink's `errors` stream: the record, why it was not written, and its origin. */
export const HDFS_SINK_ERROR_FIELDS = ['value', 'reason', 'origin'] as const;
/** Fields of the optional `available` stream: a partition flagged complete. */
export const HDFS_SINK_AVAILABLE_FIELDS = ['partition', 'path', 'statement'] as const;
/** The sink's output streams, for a topology's `outputs`. `errors` is required. */
export const HDFS_SINK_OUTPUTS = Object.freeze({ errors: HDFS_SINK_ERROR_FIELDS, available: HDFS_SINK_AVAILABLE_FIELDS });

/** The sink's lifecycle states. */
export type HdfsSinkState = 'created' | 'running' | 'closing' | 'closed';

/** Commits to run at once. */
const COMMIT_CONCURRENCY = 4;

export class HdfsSinkBolt implements Bolt {
  readonly ackMode = 'manual' as const;
  readonly #options: HdfsSinkOptions;
  #o!: CompiledSinkOptions;
  #fs!: FileSystem;
  #ownsFs = false;
  #collector!: OutputCollector;
  #logger!: Logger;
  #metrics!: SinkMetrics;
  #reader!: SourceCoordinatesReader;
  #owner!: string;
  #availability: DataAvailability | undefined;
  #intake: BatchIntake | undefined;
  #runner: BatchRunner | undefined;
  /** Batches sent to the encoder before `execute` waits for the oldest: enough to keep every thread busy. */
  #maxInFlight = 4;
  #emitAvailable = false;
  readonly #open = new Map<string, InProgressFile>();
  /** Files whose commit has started and not ended. */
  readonly #committing = new Set<InProgressFile>();
  /** Resolves when the commit in progress ends; one per committing file. */
  readonly #commits = new Set<Promise<void>>();
  #committed = new Map<string, OffsetRanges>();
  readonly #staleManifests = new Set<string>();
  /** Sources with a commit that failed since availability last published (their data is replayed). */
  readonly #failedSources = new Set<string>();
  /** The lease each leased source is written under (the newest this task has seen). */
  readonly #leases = new Map<string, string>();
  /** Leases whose fencing this task has reported, so each is logged once. */
  readonly #fencedLeases = new Set<string>();
  /** The highest offset written per source in this run: a higher one cannot be a replay. */
  readonly #frontier = new Map<string, number>();
  /** Source keys by topic and partition. */
  readonly #keys = new Map<string, string[]>();
  #lastPartition: Partition | undefined;
  #lastSource = '';
  #lastFileKey = '';
  /** The encoding of the last encoded record that fit this sink's format. */
  #acceptedEncoding: string | undefined;
  /** Encodings of encoded records refused so far (each is logged once). */
  readonly #refusedEncodings = new Set<string>();
  /** Tuples in open files. */
  #held = 0;
  /** Tuples in committing files. */
  #committingHeld = 0;
  #commitSlots = COMMIT_CONCURRENCY;
  readonly #slotWaiters: (() => void)[] = [];
  #busy: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #timerQueued = false;
  #state: HdfsSinkState = 'created';
  #closing: Promise<void> | undefined;

  constructor(options: HdfsSinkOptions) {
    this.#options = options;
  }

  get state(): HdfsSinkState {
    return this.#state;
  }

  async prepare(context: TopologyContext, collector: OutputCollector): Promise<void> {
    this.#o = compileSinkOptions(this.#options, context);
    if (context.outputFields('errors').length === 0) {
      throw hdfsError(HdfsErrorCodes.INVALID_OPTIONS, `HDFS sink '${context.componentId}' needs an 'errors' stream: declare outputs: HDFS_SINK_OUTPUTS (or errors: ['value', 'reason', 'origin'])`, {
        component: context.componentId,
      });
    }
    this.#emitAvailable = context.outputFields('available').length > 0;
    this.#collector = collector;
    this.#logger = context.logger.child('hdfs-sink', { task: context.taskId });
    this.#reader = new SourceCoordinatesReader(this.#o.fields, context.componentId, this.#o.batch !== undefined);
    this.#owner = ownerTag(context.componentId, context.taskIndex);
    const fsOption = this.#options.fileSystem;
    this.#ownsFs = typeof fsOption === 'function';
    this.#fs = typeof fsOption === 'function' ? fsOption(context) : fsOption;
    this.#metrics = createSinkMetrics(context.metrics, () => this.#open.size + this.#committing.size, () => this.#held + this.#committingHeld + (this.#intake?.held ?? 0));
    const batch = this.#o.batch;
    if (batch !== undefined) {
      const runner = (this.#runner = batchRunner(batch.threads));
      this.#maxInFlight = Math.max(4, 4 * runner.threads);
      this.#intake = new BatchIntake({
        runner,
        spec: batch.spec,
        batchRecords: batch.records,
        apply: (b, result) => this.#applyBatch(b, result),
        fail: (b, error) => this.#failBatch(b, error),
      });
    }
    if (this.#o.availability !== undefined) this.#availability = new DataAvailability(this.#fs, this.#o.root, this.#o.availability, this.#logger);
    try {
      await this.#recover(context);
      if (context.taskIndex === 0) await this.#writeTableDdl();
    } catch (error) {
      await this.#runner?.release();
      throw error;
    }
    this.#timer = setInterval(() => this.#onTimer(), this.#o.timerIntervalMs);
    this.#timer.unref();
    this.#state = 'running';
  }

  execute(tuple: Tuple): void | Promise<void> {
    if (tuple.isTick()) return this.#exclusive(() => this.#maintain(Date.now(), false));
    return this.#exclusive(() => this.#write(tuple));
  }

  /** Commits every open file and waits for every commit (the engine calls this when input is exhausted and before shutdown). */
  flush(): void | Promise<void> {
    if (this.#state !== 'running') return;
    return this.#exclusive(async () => {
      await this.#drainBatches();
      await this.#commitAll();
      await this.#maintain(Date.now(), true);
    });
  }

  /** Sends every batch of encoded input and waits until each is in its files. */
  async #drainBatches(): Promise<void> {
    if (this.#intake === undefined) return;
    this.#intake.sendAll();
    await this.#intake.drained();
  }

  /**
   * Resolves once every batch sent to the encoder is in its files, every chunk of an open file
   * sent so far is written, and every commit started so far has ended (committed, or failed and
   * its tuples failed). Batches still filling are not sent.
   */
  async settled(): Promise<void> {
    await this.#intake?.drained();
    await Promise.all([...this.#open.values()].map((f) => f.written()));
    await this.#settleCommits();
  }

  /** Commits what it can before `closeTimeoutMs`, then closes. Safe to call twice. */
  cleanup(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  /** Reads back what is committed, and removes this task's leftover temporary files. */
  async #recover(context: TopologyContext): Promise<void> {
    const scan = await scanOutput(this.#fs, this.#o.root, { partitioner: this.#o.partitioner, fileNames: this.#o.fileNames, logger: this.#logger });
    this.#committed = scan.committed;
    for (const m of scan.orphanManifests) this.#staleManifests.add(m);
    const component = this.#owner.slice(0, this.#owner.lastIndexOf('-') + 1);
    let removed = 0;
    for (const t of scan.temporary) {
      const owner = this.#o.fileNames.temporaryOwner(t.name)!;
      // Ours, or left by a task index this component no longer has.
      const index = owner.startsWith(component) ? Number(owner.slice(component.length)) : NaN;
      if (owner !== this.#owner && !(Number.isInteger(index) && index >= context.componentTasks.length)) continue;
      await this.#fs.delete(t.path);
      removed++;
    }
    for (const p of scan.unflagged) this.#availability?.committed(p);
    this.#logger.info('recovered committed output', { root: this.#o.root, files: scan.files, sources: scan.committed.size, temporaryRemoved: removed, unflagged: scan.unflagged.length });
  }

  async #writeTableDdl(): Promise<void> {
    const hive = this.#o.hive;
    if (hive === undefined) return;
    const ddl = hiveTableDdl({ ...hive, format: this.#o.format, partitioner: this.#o.partitioner });
    if (ddl === undefined) return;
    await this.#fs.create(joinPath(this.#o.root, '_hive', `${hive.table}.ddl`), Buffer.from(ddl), { overwrite: true });
  }

  /** {@link sourceKey}, made once per source rather than once per record. */
  #sourceKey(topic: string, partition: number): string {
    let keys = this.#keys.get(topic);
    if (keys === undefined) this.#keys.set(topic, (keys = []));
    return (keys[partition] ??= sourceKey(topic, partition));
  }

  /** Runs `fn` after any I/O in progress; stays synchronous when nothing is in progress. */
  #exclusive(fn: () => void | Promise<void>): void | Promise<void> {
    if (this.#busy !== undefined) return this.#busy.then(() => this.#exclusive(fn));
    const result = fn();
    if (result === undefined) return;
    const done: Promise<void> = result.then(
      () => {},
      () => {},
    );
    this.#busy = done;
    void done.then(() => {
      if (this.#busy === done) this.#busy = undefined;
    });
    return result;
  }

  #write(tuple: Tuple): void | Promise<void> {
    const src = this.#reader.read(tuple);
    if ('error' in src) return this.#reject(tuple, src.value, src.error, src.origin, 'bad_coordinates');
    const key = this.#sourceKey(src.topic, src.partition);
    if (src.lease !== undefined && src.lease !== this.#leases.get(key)) return this.#newLease(tuple, key, src.topic, src.partition, src.lease);
    if (this.#committed.get(key)?.has(src.offset)) {
      this.#collector.ack(tuple);
      this.#metrics.recordsSkipped.inc();
      return;
    }
    if (this.#intake !== undefined) return this.#writeEncoded(tuple, src.record as Buffer, src.topic, src.partition, src.offset, key);
    const record = src.record;
    let placed: Placement;
    if (record instanceof EncodedRecord) {
      const unfit = this.#unfitEncoding(record);
      if (unfit !== undefined) return this.#reject(tuple, record, unfit, `${key}@${src.offset}`, 'bad_record');
      placed = this.#o.partitioner.placeTime?.(record.eventTime) ?? { error: 'the partitioner cannot place records by event time alone (it has no placeTime)' };
    } else {
      placed = this.#o.partitioner.place(record);
    }
    if ('error' in placed) return this.#reject(tuple, record, placed.error, `${key}@${src.offset}`, 'bad_event_time');
    const fileKey = this.#fileKey(placed.partition, key);
    let file = this.#open.get(fileKey);
    const frontier = this.#frontier.get(key);
    if (frontier !== undefined && src.offset <= frontier && this.#holdReplay(tuple, key, src.offset)) return;
    const now = Date.now();
    const fresh = file === undefined;
    file ??= this.#newFile(fileKey, placed.partition, src.topic, src.partition, src.offset, now);
    if (record instanceof EncodedRecord) {
      if (file.writer.writeRecordBytes === undefined) return this.#reject(tuple, record, `format ${this.#o.format.name} has an encoding but its writer cannot append encoded records (no writeRecordBytes)`, `${key}@${src.offset}`, 'bad_record');
      file.writer.writeRecordBytes(record.data, record.start, record.end);
    } else {
      try {
        file.writer.write(record);
      } catch (error) {
        return this.#reject(tuple, record, messageOf(error), `${key}@${src.offset}`, 'bad_record');
      }
    }
    if (fresh) this.#open.set(fileKey, file);
    file.offsets.add(src.offset);
    file.tuples.push(tuple);
    // Written: from here on the tuple is kept only to be acked, so its record can be collected.
    this.#collector.release?.(tuple);
    this.#held++;
    if (frontier === undefined || src.offset > frontier) this.#frontier.set(key, src.offset);
    this.#metrics.recordsWritten.inc();
    if (this.#availability !== undefined) {
      if (placed.partition.end <= this.#availability.watermark(key)) this.#metrics.lateRecords.inc();
      this.#availability.observe(key, src.topic, src.partition, placed.eventTime);
    }
    if (this.#o.rotation.shouldRotate(file, now)) this.#startCommit(file);
    else if (file.readyBytes >= this.#o.writeBufferBytes && !file.writing) this.#sendChunk(file);
    if (this.#held >= this.#o.maxHeldTuples) return this.#nextGenerationAfterWrite();
  }

  /**
   * A tuple read under a lease this task does not write its source under. An older lease than
   * the current one is fenced: the tuple fails. A newer one means the source partition was
   * acquired again (after a rebalance): what was written under the old lease can no longer
   * commit, so its open files are given up, and what the output holds of the source is read
   * again, since other writers may have committed in between (before the acquisition fenced them).
   */
  #newLease(tuple: Tuple, key: string, topic: string, partition: number, lease: string): void | Promise<void> {
    const current = this.#leases.get(key);
    if (current !== undefined && compareLeases(lease, current) < 0) {
      this.#metrics.fencedRecords.inc();
      this.#collector.fail(tuple, this.#fenced(key, lease, `lease ${current} is newer`));
      return;
    }
    return this.#takeLease(key, topic, lease).then(() => this.#write(tuple));
  }

  async #takeLease(key: string, topic: string, lease: string): Promise<void> {
    const before = this.#leases.get(key);
    // Records of the old lease still batching reach their files first; then those files are given up.
    await this.#drainBatches();
    if (before !== undefined) {
      const reason = this.#fenced(key, before, `this task now writes it under lease ${lease}`);
      for (const f of [...this.#open.values()]) if (f.source === key) this.#abandon(f, reason, 'commit_failed');
    }
    const scan = await scanOutput(this.#fs, this.#o.root, { partitioner: this.#o.partitioner, fileNames: this.#o.fileNames, logger: this.#logger });
    const committed = scan.committed.get(key) ?? new OffsetRanges();
    this.#committed.set(key, committed);
    this.#frontier.delete(key);
    this.#leases.set(key, lease);
    this.#logger.info(`writing ${key} under lease ${lease}`, { topic, committedOffsets: committed.size, previousLease: before ?? null });
  }

  /** The reason a tuple or file of `lease` is refused. */
  #fenced(key: string, lease: string, why: string): SquallError {
    return new SquallError(ErrorCodes.PARTITION_FENCED, `not committed: ${key} moved from lease ${lease} (${why}); the partition's newer owner writes these records`);
  }

  /**
   * What a failed write or commit of a leased file means: when its lease's directory is gone,
   * a newer owner fenced the lease, and the failure is a refusal, not an error.
   */
  async #whyFailed(file: InProgressFile, error: unknown): Promise<unknown> {
    if (file.lease === undefined || !hasCode(error, HdfsErrorCodes.NOT_FOUND)) return error;
    const present = await this.#fs.exists(file.tempDir).catch(() => true);
    return present ? error : this.#fenced(file.source, file.lease.id, 'a newer owner fenced it');
  }

  /** Why an encoded record cannot go into this sink's files, or undefined when it can. */
  #unfitEncoding(record: EncodedRecord): string | undefined {
    const bad = badRange(record);
    if (bad !== undefined) return bad;
    // The same key string arrives record after record: compared in full once.
    if (record.encoding === this.#acceptedEncoding) return undefined;
    const format = this.#o.format;
    let why: string | undefined;
    if (format.encoding === undefined) why = `the record arrived encoded, and format ${format.name} takes only record objects`;
    else if (record.encoding !== encodingKey(format.encoding)) {
      const kindOf = (k: string) => (k.startsWith('avro:') ? 'avro' : k);
      const what = kindOf(record.encoding) === format.encoding.kind ? 'Avro of another schema' : kindOf(record.encoding);
      why = `the record arrived encoded as ${what}, and this sink writes ${format.name}: encode upstream with the sink format's encoding`;
    }
    if (why === undefined) {
      this.#acceptedEncoding = record.encoding;
      return undefined;
    }
    // A wiring mistake rather than bad data: every such record goes to errors. Say so once, loudly.
    if (!this.#refusedEncodings.has(record.encoding)) {
      this.#refusedEncodings.add(record.encoding);
      this.#logger.error(`encoded records this sink cannot write go to the errors stream: ${why}`, { root: this.#o.root });
    }
    return why;
  }

  /**
   * Sends a file's ready bytes without waiting: records keep coming while the filesystem writes
   * (the file sends its chunks in order, and its commit waits for them). A failed write gives
   * up on the file, with every tuple it holds by then.
   */
  #sendChunk(file: InProgressFile): void {
    file.writeChunk(this.#fs).catch(async (error: unknown) => this.#abandon(file, await this.#whyFailed(file, error), 'write_failed'));
  }

  /**
   * The key of the open file for a partition and source: the last one is kept, since records of
   * one source arrive in runs of the same hour, and building and hashing a new string per record
   * is measurable.
   */
  #fileKey(partition: Partition, source: string): string {
    if (partition !== this.#lastPartition || source !== this.#lastSource) {
      this.#lastPartition = partition;
      this.#lastSource = source;
      this.#lastFileKey = `${partition.path}\n${source}`;
    }
    return this.#lastFileKey;
  }

  /** Encoded input: the record joins its source's batch (or the file or batch holding its offset). */
  #writeEncoded(tuple: Tuple, value: Buffer, topic: string, partition: number, offset: number, key: string): void | Promise<void> {
    const intake = this.#intake!;
    const frontier = this.#frontier.get(key);
    if (frontier !== undefined && offset <= frontier && (intake.holdReplay(key, offset, tuple) || this.#holdReplay(tuple, key, offset))) return;
    intake.add(key, topic, partition, value, offset, tuple);
    if (frontier === undefined || offset > frontier) this.#frontier.set(key, offset);
    if (intake.inFlight >= this.#maxInFlight) return intake.oldest();
  }

  /** Puts an encoded batch's records into the files of their hours, and rejects those that failed. */
  #applyBatch(batch: SourceBatch, result: BatchResult): void {
    if (this.#state === 'closed') return;
    for (const e of result.errors) {
      this.#reject(batch.tuples[e.index]!, batch.values[e.index], e.reason, `${batch.key}@${batch.offsets[e.index]}`, e.kind);
      for (const t of batch.extras?.get(batch.offsets[e.index]!) ?? []) this.#collector.ack(t);
    }
    const now = Date.now();
    const availability = this.#availability;
    for (const g of result.groups) {
      const fileKey = `${g.partition.path}\n${batch.key}`;
      let file = this.#open.get(fileKey);
      if (file === undefined) {
        file = this.#newFile(fileKey, g.partition, batch.topic, batch.partition, batch.offsets[g.indices[0]!]!, now);
        this.#open.set(fileKey, file);
      }
      file.writer.writeEncoded!(g);
      for (const i of g.indices) {
        const offset = batch.offsets[i]!;
        file.offsets.add(offset);
        file.tuples.push(batch.tuples[i]!);
        const extras = batch.extras?.get(offset);
        if (extras !== undefined) file.tuples.push(...extras);
      }
      this.#held += g.indices.length + (batch.extras === undefined ? 0 : g.indices.reduce((n, i) => n + (batch.extras!.get(batch.offsets[i]!)?.length ?? 0), 0));
      this.#metrics.recordsWritten.inc(g.indices.length);
      if (availability !== undefined) {
        if (g.partition.end <= availability.watermark(batch.key)) this.#metrics.lateRecords.inc(g.indices.length);
        availability.observe(batch.key, batch.topic, batch.partition, g.maxEventTime);
      }
      if (this.#o.rotation.shouldRotate(file, now)) this.#startCommit(file);
      else if (file.readyBytes >= this.#o.writeBufferBytes) this.#sendChunk(file);
    }
    this.#nextGeneration();
  }

  /**
   * Encoded input: once the open files hold maxHeldTuples, commits them all, as soon as the
   * previous generation is committed (called again when a commit ends).
   */
  #nextGeneration(): void {
    if (this.#intake === undefined || this.#held < this.#o.maxHeldTuples || this.#commits.size > 0 || this.#state === 'closed') return;
    for (const f of [...this.#open.values()]) this.#startCommit(f);
  }

  /** A batch no thread could encode: its tuples fail, and their source replays them. */
  #failBatch(batch: SourceBatch, error: unknown): void {
    // Past the close deadline nothing changes: the engine replays these tuples.
    if (this.#state === 'closed') return;
    const reason = hdfsError(HdfsErrorCodes.ENCODE_FAILED, `could not encode a batch of ${batch.size} records of ${batch.key}: ${messageOf(error)}`, { retriable: true, cause: error });
    for (const t of batch.tuples) this.#collector.fail(t, reason);
    for (const list of batch.extras?.values() ?? []) for (const t of list) this.#collector.fail(t, reason);
    this.#metrics.errors('encode_failed').inc();
    this.#collector.reportError(reason);
  }

  /**
   * A replay of an offset written in this run: when an open or committing file of its source
   * holds it (whatever hour the partitioner picks now), the tuple joins that file's tuples (acked
   * with it, or failed if it fails). Returns false when no file holds it (its file failed, so it
   * is written again).
   */
  #holdReplay(tuple: Tuple, key: string, offset: number): boolean {
    const lease = this.#leases.get(key);
    for (const f of this.#open.values()) {
      if (f.source === key && f.lease?.id === lease && f.offsets.has(offset)) {
        f.tuples.push(tuple);
        this.#held++;
        return true;
      }
    }
    for (const f of this.#committing) {
      if (f.source === key && f.lease?.id === lease && f.offsets.has(offset)) {
        f.tuples.push(tuple);
        this.#committingHeld++;
        return true;
      }
    }
    return false;
  }

  /** The open files hold maxHeldTuples: they commit as one generation, once the previous one has. */
  async #nextGenerationAfterWrite(): Promise<void> {
    if (this.#commits.size > 0) await this.#settleCommits();
    for (const f of [...this.#open.values()]) this.#startCommit(f);
  }

  #newFile(key: string, partition: Partition, topic: string, sourcePartition: number, offset: number, now: number): InProgressFile {
    const format = this.#o.format;
    const id = this.#leases.get(this.#sourceKey(topic, sourcePartition));
    const lease = id === undefined ? undefined : { id, dir: leaseDir(this.#o.root, topic, sourcePartition, id) };
    return new InProgressFile(key, this.#o.root, partition, topic, sourcePartition, offset, format.open(), format.extension, now, this.#owner, this.#o.fileNames, lease);
  }

  /** Sends a tuple to the errors stream, anchored, and acks it: handled, never dropped. */
  #reject(tuple: Tuple, value: unknown, reason: string, origin: string, kind: SinkErrorKind): void {
    this.#collector.emitTo('errors', [value, reason, origin], tuple);
    this.#collector.ack(tuple);
    this.#metrics.errors(kind).inc();
  }

  /**
   * Starts committing a file in the background (at most COMMIT_CONCURRENCY at once): it leaves
   * the open set at once, so the next record of its key opens a new file.
   */
  #startCommit(file: InProgressFile): void {
    if (this.#state === 'closed') return;
    this.#open.delete(file.key);
    this.#held -= file.tuples.length;
    this.#committing.add(file);
    this.#committingHeld += file.tuples.length;
    const done: Promise<void> = this.#commitOne(file).then(() => {
      this.#commits.delete(done);
      this.#nextGeneration();
    });
    this.#commits.add(done);
  }

  /** Waits for every commit started so far. */
  async #settleCommits(): Promise<void> {
    while (this.#commits.size > 0) await Promise.all([...this.#commits]);
  }

  /** Commits every open file and waits for every commit. */
  async #commitAll(): Promise<void> {
    for (const f of [...this.#open.values()]) this.#startCommit(f);
    await this.#settleCommits();
  }

  async #commitSlot(): Promise<void> {
    if (this.#commitSlots > 0) {
      this.#commitSlots--;
      return;
    }
    await new Promise<void>((resolve) => this.#slotWaiters.push(resolve));
  }

  #releaseCommitSlot(): void {
    const next = this.#slotWaiters.shift();
    if (next !== undefined) next();
    else this.#commitSlots++;
  }

  async #commitOne(file: InProgressFile): Promise<void> {
    await this.#commitSlot();
    const started = performance.now();
    let path: string | undefined;
    let failure: unknown;
    try {
      path = await file.commit(this.#fs, this.#o.fileNames, this.#owner, this.#staleManifests);
    } catch (error) {
      failure = error;
    } finally {
      this.#releaseCommitSlot();
    }
    if (path === undefined) {
      this.#abandon(file, await this.#whyFailed(file, failure), 'commit_failed');
      return;
    }
    // Past the close deadline nothing changes either: the engine replays these tuples, and the
    // sink that recovers next finds this file committed and skips them.
    if (this.#state === 'closed') return;
    // Committed, so its offsets are: replays of them are skipped from now on.
    let ranges = this.#committed.get(file.source);
    if (ranges === undefined) this.#committed.set(file.source, (ranges = file.offsets));
    else ranges.addAll(file.offsets);
    // A file given up on while it committed already failed its tuples (their replays will be skipped).
    if (!this.#committing.delete(file)) return;
    for (const t of file.tuples) this.#collector.ack(t);
    this.#committingHeld -= file.tuples.length;
    this.#metrics.filesCommitted.inc();
    this.#metrics.bytesCommitted.inc(file.flushedBytes);
    this.#metrics.commitSeconds.observe((performance.now() - started) / 1000);
    this.#availability?.committed(file.partition);
    this.#logger.debug('committed', { path, records: file.records, bytes: file.flushedBytes });
  }

  /** Gives up on a file: fails its tuples (their source replays them) and removes what was written. */
  #abandon(file: InProgressFile, error: unknown, kind: SinkErrorKind): void {
    // Past the close deadline nothing changes (the close aborted the file's stream itself): the
    // engine replays these tuples.
    if (file.abandoned || this.#state === 'closed') return;
    file.abandoned = true;
    if (this.#committing.delete(file)) this.#committingHeld -= file.tuples.length;
    else if (this.#open.get(file.key) === file) {
      this.#open.delete(file.key);
      this.#held -= file.tuples.length;
    }
    this.#failedSources.add(file.source);
    file.abort();
    if (error instanceof SquallError && error.code === ErrorCodes.PARTITION_FENCED) {
      // A refusal, not a fault: the records are the newer owner's. Its fence removes what was written.
      for (const t of file.tuples) this.#collector.fail(t, error);
      this.#metrics.fencedCommits.inc();
      this.#metrics.fencedRecords.inc(file.tuples.length);
      const lease = `${file.source} ${file.lease?.id ?? ''}`;
      if (!this.#fencedLeases.has(lease)) {
        this.#fencedLeases.add(lease);
        this.#logger.info(`${error.message}; files of that lease are not committed`, { records: file.tuples.length });
      }
      return;
    }
    const what = kind === 'write_failed' ? 'write' : 'commit';
    const reason = hdfsError(HdfsErrorCodes.COMMIT_FAILED, `could not ${what} ${file.tempPath} on ${this.#fs.description}: ${messageOf(error)}`, {
      retriable: isRetriable(error),
      cause: error,
    });
    for (const t of file.tuples) this.#collector.fail(t, reason);
    this.#metrics.errors(kind).inc();
    this.#collector.reportError(reason);
    if (file.created) void this.#fs.delete(file.tempPath).catch(() => {});
  }

  #onTimer(): void {
    if (this.#timerQueued || this.#state !== 'running') return;
    this.#timerQueued = true;
    void Promise.resolve(this.#exclusive(() => this.#maintain(Date.now(), false))).finally(() => (this.#timerQueued = false));
  }

  /**
   * Starts commits of files that are due (by rotation, or closed by their source's watermark)
   * and flags complete partitions. A source still committing (or whose commit failed) a file
   * its watermark has closed holds its watermark back.
   */
  async #maintain(now: number, force: boolean): Promise<void> {
    // Batches of encoded input wait no longer than one timer interval to be encoded.
    this.#intake?.sendAll();
    const availability = this.#availability;
    let closedHours = false;
    for (const f of [...this.#open.values()]) {
      const closed = availability !== undefined && f.partition.end <= availability.watermark(f.source);
      if (closed || this.#o.rotation.shouldRotate(f, now)) this.#startCommit(f);
      closedHours ||= closed;
    }
    if (availability === undefined) return;
    // An hour's last files (once per source and hour): wait for them, so the hour can be flagged now.
    if (closedHours) await this.#settleCommits();
    const held = new Set(this.#failedSources);
    this.#failedSources.clear();
    for (const files of [this.#open.values(), this.#committing]) {
      for (const f of files) if (f.partition.end <= availability.watermark(f.source)) held.add(f.source);
    }
    try {
      for (const p of await availability.publish(now, held, force)) await this.#flagged(p);
    } catch (error) {
      this.#collector.reportError(error);
    }
  }

  async #flagged(partition: Partition): Promise<void> {
    this.#metrics.partitionsFlagged.inc();
    const hive = this.#o.hive;
    const statement = hive === undefined ? '' : hiveAddPartition({ ...hive, partition });
    if (hive !== undefined) await this.#fs.create(joinPath(this.#o.root, '_hive', `${hive.table}.partitions`, `${partition.path.replace(/\//g, '.')}.hql`), Buffer.from(statement), { overwrite: true });
    if (this.#emitAvailable) this.#collector.emitTo('available', [partition.path, joinPath(this.#o.root, partition.path), statement], null);
    this.#logger.info('partition complete', { partition: partition.path });
  }

  async #close(): Promise<void> {
    if (this.#state === 'created') {
      this.#state = 'closed';
      return;
    }
    this.#state = 'closing';
    if (this.#timer !== undefined) clearInterval(this.#timer);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), this.#o.closeTimeoutMs)));
    const work = Promise.resolve(
      this.#exclusive(async () => {
        await this.#drainBatches();
        await this.#commitAll();
      }),
    ).then(() => 'done' as const);
    const outcome = await Promise.race([work, deadline]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      // Closed from here on: batches still encoding and commits still running change nothing.
      this.#state = 'closed';
      for (const f of [...this.#open.values(), ...this.#committing]) f.abort();
      this.#logger.warn('close deadline passed; open files are abandoned and their tuples will be replayed', { openFiles: this.#open.size + this.#committing.size, closeTimeoutMs: this.#o.closeTimeoutMs });
    }
    await this.#runner?.release();
    if (this.#ownsFs) await this.#fs.close().catch(() => {});
    this.#state = 'closed';
  }
}
