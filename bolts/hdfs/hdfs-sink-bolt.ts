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
 *
 * When the storage cannot take a file (full, over quota, read-only, in safe mode), the file's
 * tuples fail with the storage fault (sources replay them without counting an attempt: it is
 * not the records' fault), and the sink holds its input: it takes no tuple until a probe file
 * can be written, retrying with backoff, and says what is wrong once and then once a minute.
 * Past `storageDeadlineMs` without a commit, the run stops with the fault as its reason.
 * An output directory that cannot be written at all is refused in `prepare`, as a config error.
 */
import { type Bolt, ErrorCodes, isRetriable, type Logger, messageOf, type OutputCollector, SquallError, StorageHold, storageFaultOf, type TopologyContext, type Tuple } from '../../core/index.js';
import type { BatchResult } from './batch-encoder.js';
import { BatchIntake, type SourceBatch } from './batch-intake.js';
import { DataAvailability } from './data-availability.js';
import { batchRunner, type BatchRunner } from './encoder-pool.js';
import { HdfsErrorCodes, hasCode, hdfsError } from './errors.js';
import { CommitSlots } from './commit-slots.js';
import { EncodedRecord } from './encoded-record.js';
import { EncodingCheck } from './encoding-check.js';
import { ownerTag } from './file-name-format.js';
import { type FileSystem, joinPath, parentOf } from './file-system.js';
import { TempLeftovers } from './temp-leftovers.js';
import { InProgressFile } from './in-progress-file.js';
import { leaseDir } from './partition-leases.js';
import { PartitionPublisher } from './partition-publisher.js';
import type { Partition, Placement } from './partitioner.js';
import { type CompiledSinkOptions, compileSinkOptions, type HdfsSinkOptions } from './sink-options.js';
import { createSinkMetrics, type SinkErrorKind, type SinkMetrics } from './sink-metrics.js';
import { committedOfSource, recoverOutput } from './sink-recovery.js';
import { SourceCoordinatesReader } from './source-coordinates.js';
import { SinkFiles } from './sink-files.js';
import { SourceLedger, fencedError, isFenced } from './source-ledger.js';

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
/** A probe file's size: a file that failed, within these bounds. */
const PROBE_BYTES = { min: 64 * 1024, max: 8 * 1024 * 1024 };

export class HdfsSinkBolt implements Bolt {
  readonly ackMode = 'manual' as const;
  readonly #options: HdfsSinkOptions;
  #o!: CompiledSinkOptions;
  #fs!: FileSystem;
  /** Temporary files of failed writes and commits not removed yet (see temp-leftovers.ts). */
  #leftovers!: TempLeftovers;
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
  readonly #files = new SinkFiles((file) => this.#commitOne(file), () => this.#nextGeneration());
  readonly #ledger = new SourceLedger();
  #encodings!: EncodingCheck;
  #publisher!: PartitionPublisher;
  readonly #staleManifests = new Set<string>();
  /** Sources with a commit that failed since availability last published (their data is replayed). */
  readonly #failedSources = new Set<string>();
  /** Leases whose fencing this task has reported, so each is logged once. */
  readonly #fencedLeases = new Set<string>();
  #lastPartition: Partition | undefined;
  #lastSource = '';
  #lastFileKey = '';
  readonly #slots = new CommitSlots(COMMIT_CONCURRENCY);
  #busy: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #timerQueued = false;
  #state: HdfsSinkState = 'created';
  #closing: Promise<void> | undefined;
  #hold!: StorageHold;
  #componentId = '';
  #probeBytes = PROBE_BYTES.min;

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
    this.#collector = collector;
    this.#logger = context.logger.child('hdfs-sink', { task: context.taskId });
    this.#encodings = new EncodingCheck(this.#o.format, this.#o.root, this.#logger);
    this.#reader = new SourceCoordinatesReader(this.#o.fields, context.componentId, this.#o.batch !== undefined);
    this.#owner = ownerTag(context.componentId, context.taskIndex);
    this.#componentId = context.componentId;
    const fsOption = this.#options.fileSystem;
    this.#ownsFs = typeof fsOption === 'function';
    this.#fs = typeof fsOption === 'function' ? fsOption(context) : fsOption;
    this.#metrics = createSinkMetrics(context.metrics, () => this.#files.size, () => this.#files.held + this.#files.committingHeld + (this.#intake?.held ?? 0));
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
    const emitAvailable = context.outputFields('available').length > 0 ? (values: unknown[]) => collector.emitTo('available', values, null) : undefined;
    this.#leftovers = new TempLeftovers(this.#fs);
    this.#publisher = new PartitionPublisher(this.#fs, this.#o, emitAvailable, this.#logger);
    if (this.#o.availability !== undefined) this.#availability = new DataAvailability(this.#fs, this.#o.root, this.#o.availability, this.#logger);
    this.#hold = StorageHold.forTask(context, collector, `writing ${this.#o.root} on ${this.#fs.description}`);
    try {
      await this.#checkWritable();
      const recovered = await recoverOutput(this.#fs, this.#o, this.#owner, context.componentTasks.length, this.#logger);
      this.#ledger.recovered(recovered.committed);
      for (const m of recovered.orphanManifests) this.#staleManifests.add(m);
      for (const p of recovered.unflagged) this.#availability?.committed(p);
      if (context.taskIndex === 0) await this.#publisher.writeTableDdl();
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
    // Storage that cannot take writes: hold the input (the executor waits) until a probe passes.
    if (this.#hold.waiting) return this.#exclusive(() => this.#hold.wait(() => this.#probe()).then(() => this.#write(tuple)));
    return this.#exclusive(() => this.#write(tuple));
  }

  /** Writes and removes a probe file of the size of the last file that failed. */
  async #probe(): Promise<void> {
    const path = joinPath(this.#o.root, this.#o.fileNames.temporary(this.#owner, 'probe', { topic: '_probe', partition: 0, firstOffset: 0 }, '.probe'));
    try {
      await this.#fs.create(path, new Uint8Array(this.#probeBytes), { overwrite: true });
      await this.#fs.sync(path);
    } finally {
      await this.#fs.delete(path).catch(() => {});
    }
  }

  /** An output the storage refuses (read-only, not permitted) is a config error, said before anything runs. */
  async #checkWritable(): Promise<void> {
    try {
      await this.#probe();
    } catch (error) {
      const fault = storageFaultOf(error);
      if (fault?.code !== ErrorCodes.STORAGE_READ_ONLY) throw error;
      throw new SquallError(ErrorCodes.INVALID_CONFIG, `the output directory ${this.#o.root} cannot be written: ${fault.message}`, { cause: error, component: this.#componentId });
    }
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
    await Promise.all([...this.#files.open.values()].map((f) => f.written()));
    await this.#files.settle();
  }

  /** Commits what it can before `closeTimeoutMs`, then closes. Safe to call twice. */
  cleanup(): Promise<void> {
    this.#hold?.close();
    this.#closing ??= this.#close();
    return this.#closing;
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
    const key = this.#ledger.key(src.topic, src.partition);
    if (src.lease !== undefined && src.lease !== this.#ledger.lease(key)) return this.#newLease(tuple, key, src.topic, src.lease);
    if (this.#ledger.isCommitted(key, src.offset)) {
      this.#collector.ack(tuple);
      this.#metrics.recordsSkipped.inc();
      return;
    }
    if (this.#intake !== undefined) return this.#writeEncoded(tuple, src.record as Buffer, src.topic, src.partition, src.offset, key);
    const record = src.record;
    let placed: Placement;
    if (record instanceof EncodedRecord) {
      const unfit = this.#encodings.unfit(record);
      if (unfit !== undefined) return this.#reject(tuple, record, unfit, `${key}@${src.offset}`, 'bad_record');
      placed = this.#o.partitioner.placeTime?.(record.eventTime) ?? { error: 'the partitioner cannot place records by event time alone (it has no placeTime)' };
    } else {
      placed = this.#o.partitioner.place(record);
    }
    if ('error' in placed) return this.#reject(tuple, record, placed.error, `${key}@${src.offset}`, 'bad_event_time');
    const fileKey = this.#fileKey(placed.partition, key);
    let file = this.#files.open.get(fileKey);
    if (this.#ledger.mayBeReplay(key, src.offset) && this.#holdReplay(tuple, key, src.offset)) return;
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
    if (fresh) this.#files.open.set(fileKey, file);
    file.offsets.add(src.offset);
    this.#files.hold(file, tuple);
    // Written: from here on the tuple is kept only to be acked, so its record can be collected.
    this.#collector.release?.(tuple);
    this.#ledger.wrote(key, src.offset);
    this.#metrics.recordsWritten.inc();
    if (this.#availability !== undefined) {
      if (this.#availability.closed(key, placed.partition.end)) this.#metrics.lateRecords.inc();
      this.#availability.observe(key, src.topic, src.partition, placed.eventTime);
    }
    if (this.#o.rotation.shouldRotate(file, now)) this.#startCommit(file);
    else if (file.readyBytes >= this.#o.writeBufferBytes && !file.writing) this.#sendChunk(file);
    if (this.#files.held >= this.#o.maxHeldTuples) return this.#nextGenerationAfterWrite();
  }

  /**
   * A tuple read under a lease this task does not write its source under. An older lease than
   * the current one is fenced: the tuple fails. A newer one means the source partition was
   * acquired again (after a rebalance): what was written under the old lease can no longer
   * commit, so its open files are given up, and what the output holds of the source is read
   * again, since other writers may have committed in between (before the acquisition fenced them).
   */
  #newLease(tuple: Tuple, key: string, topic: string, lease: string): void | Promise<void> {
    if (this.#ledger.standing(key, lease) === 'older') {
      this.#metrics.fencedRecords.inc();
      this.#collector.fail(tuple, fencedError(key, lease, `lease ${this.#ledger.lease(key)} is newer`));
      return;
    }
    return this.#takeLease(key, topic, lease).then(() => this.#write(tuple));
  }

  async #takeLease(key: string, topic: string, lease: string): Promise<void> {
    const before = this.#ledger.lease(key);
    // Records of the old lease still batching reach their files first; then those files are given up.
    await this.#drainBatches();
    if (before !== undefined) {
      const reason = fencedError(key, before, `this task now writes it under lease ${lease}`);
      for (const f of [...this.#files.open.values()]) if (f.source === key) this.#abandon(f, reason, 'commit_failed');
    }
    const committed = await committedOfSource(this.#fs, this.#o, key, this.#logger);
    this.#ledger.leased(key, lease, committed);
    this.#logger.info(`writing ${key} under lease ${lease}`, { topic, committedOffsets: committed.size, previousLease: before ?? null });
  }

  /**
   * What a failed write or commit of a leased file means: when its lease's directory is no
   * longer there (taken away, a tombstone in its place), a newer owner fenced the lease, and the
   * failure is a refusal, not an error, whatever the filesystem said (a missing path, a parent
   * that is a file, a stream cut when its file was deleted).
   */
  async #whyFailed(file: InProgressFile, error: unknown): Promise<unknown> {
    if (file.lease === undefined) return error;
    const alive = await this.#fs
      .list(parentOf(file.tempDir))
      .then((entries) => entries.some((e) => e.name === file.lease!.id && e.type === 'directory'))
      .catch((e: unknown) => !hasCode(e, HdfsErrorCodes.NOT_FOUND));
    return alive ? error : fencedError(file.source, file.lease.id, 'a newer owner fenced it');
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
    if (this.#ledger.mayBeReplay(key, offset) && (intake.holdReplay(key, offset, tuple) || this.#holdReplay(tuple, key, offset))) return;
    intake.add(key, topic, partition, value, offset, tuple);
    this.#ledger.wrote(key, offset);
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
      let file = this.#files.open.get(fileKey);
      if (file === undefined) {
        file = this.#newFile(fileKey, g.partition, batch.topic, batch.partition, batch.offsets[g.indices[0]!]!, now);
        this.#files.open.set(fileKey, file);
      }
      file.writer.writeEncoded!(g);
      for (const i of g.indices) {
        const offset = batch.offsets[i]!;
        file.offsets.add(offset);
        file.tuples.push(batch.tuples[i]!);
        const extras = batch.extras?.get(offset);
        if (extras !== undefined) file.tuples.push(...extras);
      }
      this.#files.held += g.indices.length + (batch.extras === undefined ? 0 : g.indices.reduce((n, i) => n + (batch.extras!.get(batch.offsets[i]!)?.length ?? 0), 0));
      this.#metrics.recordsWritten.inc(g.indices.length);
      if (availability !== undefined) {
        if (availability.closed(batch.key, g.partition.end)) this.#metrics.lateRecords.inc(g.indices.length);
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
    if (this.#intake === undefined || this.#files.held < this.#o.maxHeldTuples || this.#files.commitsInFlight > 0 || this.#state === 'closed') return;
    this.#commitOpen();
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

  /** A replay of an offset written in this run joins the file that holds it, if one still does. */
  #holdReplay(tuple: Tuple, key: string, offset: number): boolean {
    return this.#files.holdReplay(tuple, key, offset, this.#ledger.lease(key));
  }

  /** The open files hold maxHeldTuples: they commit as one generation, once the previous one has. */
  async #nextGenerationAfterWrite(): Promise<void> {
    if (this.#files.commitsInFlight > 0) await this.#files.settle();
    this.#commitOpen();
  }

  #newFile(key: string, partition: Partition, topic: string, sourcePartition: number, offset: number, now: number): InProgressFile {
    const format = this.#o.format;
    const id = this.#ledger.lease(this.#ledger.key(topic, sourcePartition));
    const lease = id === undefined ? undefined : { id, dir: leaseDir(this.#o.root, topic, sourcePartition, id) };
    return new InProgressFile(key, this.#o.root, partition, topic, sourcePartition, offset, format.open(), format.extension, now, this.#owner, this.#o.fileNames, lease);
  }

  /** Sends a tuple to the errors stream, anchored, and acks it: handled, never dropped. */
  #reject(tuple: Tuple, value: unknown, reason: string, origin: string, kind: SinkErrorKind): void {
    this.#collector.emitTo('errors', [value, reason, origin], tuple);
    this.#collector.ack(tuple);
    this.#metrics.errors(kind).inc();
  }

  /** Starts committing a file in the background (at most COMMIT_CONCURRENCY at once). */
  #startCommit(file: InProgressFile): void {
    if (this.#state !== 'closed') this.#files.startCommit(file);
  }

  #commitOpen(): void {
    if (this.#state !== 'closed') this.#files.commitOpen();
  }

  /** Commits every open file and waits for every commit. */
  async #commitAll(): Promise<void> {
    this.#commitOpen();
    await this.#files.settle();
  }

  async #commitOne(file: InProgressFile): Promise<void> {
    await this.#slots.acquire();
    const started = performance.now();
    let path: string | undefined;
    let failure: unknown;
    try {
      await this.#leftovers.sweep();
      path = await file.commit(this.#fs, this.#o.fileNames, this.#owner, this.#staleManifests);
    } catch (error) {
      failure = error;
    } finally {
      this.#slots.release();
    }
    if (path === undefined) {
      this.#abandon(file, await this.#whyFailed(file, failure), 'commit_failed');
      return;
    }
    // Past the close deadline nothing changes either: the engine replays these tuples, and the
    // sink that recovers next finds this file committed and skips them.
    if (this.#state === 'closed') return;
    // Committed, so its offsets are: replays of them are skipped from now on.
    this.#ledger.committed(file.source, file.offsets);
    // A file given up on while it committed already failed its tuples (their replays will be skipped).
    if (!this.#files.committed(file)) return;
    this.#hold.cleared();
    for (const t of file.tuples) this.#collector.ack(t);
    this.#metrics.filesCommitted.inc();
    this.#metrics.recordsCommitted.inc(file.records);
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
    this.#files.remove(file);
    this.#failedSources.add(file.source);
    file.abort();
    if (isFenced(error)) {
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
    const fault = storageFaultOf(error);
    if (fault !== undefined) {
      // Not the records' fault: they fail with the storage fault's code (their sources replay
      // them without counting an attempt), and the input is held, the hold saying what is wrong
      // (or, past the deadline, stopping the run).
      this.#hold.fault(fault);
      this.#probeBytes = Math.min(PROBE_BYTES.max, Math.max(PROBE_BYTES.min, file.flushedBytes + file.readyBytes));
      for (const t of file.tuples) this.#collector.fail(t, fault);
      this.#metrics.errors(kind).inc();
      void this.#leftovers.remove(file.tempPaths);
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
    void this.#leftovers.remove(file.tempPaths);
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
    for (const f of [...this.#files.open.values()]) {
      const closed = availability !== undefined && availability.closed(f.source, f.partition.end);
      if (closed || this.#o.rotation.shouldRotate(f, now)) this.#startCommit(f);
      closedHours ||= closed;
    }
    if (availability === undefined) return;
    // An hour's last files (once per source and hour): wait for them, so the hour can be flagged now.
    if (closedHours) await this.#files.settle();
    const held = new Set(this.#failedSources);
    this.#failedSources.clear();
    for (const files of [this.#files.open.values(), this.#files.committing]) {
      for (const f of files) if (availability.closed(f.source, f.partition.end)) held.add(f.source);
    }
    try {
      for (const p of await availability.publish(now, held, force)) {
        this.#metrics.partitionsFlagged.inc();
        await this.#publisher.flagged(p);
      }
    } catch (error) {
      this.#collector.reportError(error);
    }
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
      for (const f of [...this.#files.open.values(), ...this.#files.committing]) f.abort();
      this.#logger.warn('close deadline passed; open files are abandoned and their tuples will be replayed', { openFiles: this.#files.size, closeTimeoutMs: this.#o.closeTimeoutMs });
    }
    await this.#runner?.release();
    if (this.#ownsFs) await this.#fs.close().catch(() => {});
    this.#state = 'closed';
  }
}
