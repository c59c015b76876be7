/**
 * refine: canonicalize → geotag → anonymize, fused into one stage. Each stage's logic keeps its
 * own module (canonicalize.ts, geotag.ts, anonymize.ts, joined by refine.ts); this bolt only
 * batches lines and runs them, in the worker's threads (the component declares `threads` ≥ 1;
 * see refine-thread.ts and `TopologyContext.threads`) or on the main thread (`threads: 0`). The stages are stateless and CPU-bound, so fusing them saves two
 * hops per record and lets the pool do all of the refining; a refined record holds no raw IP.
 *
 * Outputs, in input order: each refined record on `default`, the sequence facts of a batch's
 * records as one tuple per host on `sequence`, each user pageview on `pageviews`, and each
 * malformed line on `errors` with its reason (IPs redacted). A line whose salt cannot be had
 * (any error but an unreachable store, which is waited out), and every line of a batch whose
 * thread failed, is failed, so its source replays it. Every input is acked or failed once.
 *
 * Event time is bounded here, once, before any hourly output sees a record (see
 * {@link EventTimeGate}): a record out of bounds goes to `errors` with the bound and the value,
 * and only its sequence facts go on (without a time: it was delivered). After each batch, and on
 * each tick (a partition may have gone idle), the stream's low watermark goes on `watermark`
 * when it moved, after the records it covers: the hourly outputs close hours by it.
 *
 * Salts come from the salt store (`acquireSaltStore`) on the main thread and travel to the
 * threads with each batch, in memory only. An unreachable store holds the input until it answers
 * or `saltStoreDeadlineMs` passes (see refine-salts.ts).
 */
import type { Bolt, EventTimeOptions, EventTimePolicy, Logger, OutputCollector, TopologyContext, Tuple } from '../../core/index.js';
import { ErrorCodes, SquallError, compileEventTimeOptions, eventTimePolicyOf, messageOf } from '../../core/index.js';
import { InOrder, type Outcome, type TaskThreads } from '../../core/index.js';
import type { CheckpointStore } from './checkpoint-store.js';
import { CanonicalizeCaches } from './canonicalize.js';
import { EventTimeGate } from './event-time-gate.js';
import { type GeoLookup, type SharedGeoDatabases, openSharedGeoReader } from './geotag.js';
import { sequenceFactsOf } from './parse.js';
import { redactIps } from './redact.js';
import { refineBatch, type RefineBatch, type RefinedBatch, type RefineFailure } from './refine-batch.js';
import type { ThreadRefineBatch } from './refine-thread.js';
import { unpackRefinedBatch } from './refined-batch-codec.js';
import { DEFAULT_SALT_ROTATION_MS } from './anonymize.js';
import { acquireSaltStore } from './salt-store-config.js';
import { RefineSalts } from './refine-salts.js';
import type { SaltStore } from './salt-store.js';
import { EncodedRecord, RecordBytesEncoder } from '../hdfs/encoded-record.js';
import type { FormatEncoding } from '../hdfs/batch-encoder.js';
import { valueText, webrequestSourceOf } from './streams.js';
import { leaseOf, sourceOf } from './source-record-fields.js';

/** Options of a {@link RefineBolt}. */
export interface RefineBoltOptions {
  /** Lines per batch. A batch also leaves when the inbox runs dry. @default 256 */
  readonly batchSize?: number;
  /** Batches refining at once before `execute` waits for one (backpressure). @default 4 × (the component's threads + 1) */
  readonly maxBatchesInFlight?: number;
  /** Salts from this store, which the bolt does not close. @default the store of the config (`acquireSaltStore`) */
  readonly saltStore?: SaltStore;
  /** The threads' module: refine-thread.ts, or a variant of it in tests. */
  readonly threadModule?: URL;
  /**
   * Emit each refined record already encoded in this format, as an {@link EncodedRecord} for an
   * HDFS sink writing the same format (`format.encoding`). The encoding then happens with the
   * refining, in the pool's threads, and the sink only copies bytes. @default records as objects
   */
  readonly encode?: FormatEncoding;
  /** The event-time bounds and watermarks. @default the topology config's keys (`eventTimePolicyOf`) */
  readonly eventTime?: EventTimeOptions;
  /** Where one task remembers the source partitions it read, to expect them after a restart (see `EventTimeGate.restore`). @default none */
  readonly knownSources?: (context: TopologyContext) => CheckpointStore;
}

const REFINE_THREAD = new URL('./refine-thread.ts', import.meta.url);

/** The defaults of {@link RefineBoltOptions}. */
export const REFINE_BOLT_DEFAULTS = Object.freeze({ batchSize: 256 });

/** {@link RefineBoltOptions}, merged over the defaults and validated; `threads` is the component's. */
export function compileRefineBoltOptions(
  options: RefineBoltOptions = {},
  threads = 0,
): Required<Omit<RefineBoltOptions, 'saltStore' | 'encode' | 'eventTime' | 'knownSources'>> & Pick<RefineBoltOptions, 'saltStore' | 'encode' | 'knownSources'> & { readonly eventTime: EventTimePolicy | undefined } {
  const batchSize = options.batchSize ?? REFINE_BOLT_DEFAULTS.batchSize;
  const maxBatchesInFlight = options.maxBatchesInFlight ?? 4 * (threads + 1);
  const invalid = (message: string) => new SquallError(ErrorCodes.INVALID_CONFIG, `refine: ${message}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw invalid(`batchSize is ${String(batchSize)}: use a whole number of lines, such as 256`);
  if (!Number.isInteger(maxBatchesInFlight) || maxBatchesInFlight < 1) throw invalid(`maxBatchesInFlight is ${String(maxBatchesInFlight)}: use a whole number, such as ${4 * (threads + 1)}`);
  const eventTime = options.eventTime === undefined ? undefined : compileEventTimeOptions(options.eventTime);
  return { batchSize, maxBatchesInFlight, saltStore: options.saltStore, threadModule: options.threadModule ?? REFINE_THREAD, encode: options.encode, eventTime, knownSources: options.knownSources };
}

/** Lines collected for the next batch, with the tuples they came from. */
class OpenBatch {
  readonly tuples: Tuple[] = [];
  readonly lines: string[] = [];
  readonly sources: string[] = [];
}

/** The sequence facts of one host's records in a batch, and the lines they came from. */
interface HostSequences {
  readonly sequences: number[];
  readonly times: (number | null)[];
  /** Each record's source (`topic/partition`) and offset: the sequence check counts a position once. */
  readonly sources: string[];
  readonly offsets: number[];
  readonly anchors: Tuple[];
}


export class RefineBolt implements Bolt {
  readonly ackMode = 'manual' as const;
  readonly #options: ReturnType<typeof compileRefineBoltOptions>;
  #collector!: OutputCollector;
  #fallbackSource = 'text';
  #malformed!: { inc(by?: number): void };
  #gate!: EventTimeGate;
  /** Whether the topology declares the `watermark` stream (a topology without hourly outputs may not). */
  #watermarkStream = false;
  #logger!: Logger;
  /** Batches refined, by where: in the pool's threads, or on the main thread. */
  #batches!: { thread: { inc(by?: number): void }; main: { inc(by?: number): void } };
  #salts!: RefineSalts;
  /** The worker's threads, when the component declares some. */
  #threads: TaskThreads | undefined;
  readonly #maxBatchesInFlight: number | undefined;
  #maxInFlight = 1;
  #geo: GeoLookup | undefined;
  /** The GeoLite2 databases this process opened, in shared memory: the threads read them, not a copy each. */
  #geoDatabases: SharedGeoDatabases | undefined;
  readonly #caches = new CanonicalizeCaches();
  /** Encodes refined records on this thread (threads: 0, or while the pool is busy). */
  readonly #encoder: RecordBytesEncoder | undefined;
  #open = new OpenBatch();
  #dispatchQueued = false;
  /** Batches being refined; each one's outcome is emitted once every batch before it was. */
  readonly #inFlight = new InOrder<readonly Tuple[], RefinedBatch>((tuples, outcome) => this.#settle(tuples, outcome));
  #closed = false;

  constructor(options: RefineBoltOptions = {}) {
    this.#options = compileRefineBoltOptions(options);
    this.#maxBatchesInFlight = options.maxBatchesInFlight;
    this.#encoder = this.#options.encode === undefined ? undefined : new RecordBytesEncoder(this.#options.encode);
  }

  async prepare(context: TopologyContext, collector: OutputCollector): Promise<void> {
    this.#collector = collector;
    this.#fallbackSource = String(context.config.webrequestSource ?? 'text');
    this.#malformed = context.metrics.counter('webrequest_malformed_total', 'Lines that could not be parsed');
    this.#logger = context.logger;
    this.#watermarkStream = context.outputFields('watermark').length > 0;
    this.#gate = new EventTimeGate(this.#options.eventTime ?? eventTimePolicyOf(context.config), context.metrics, context.logger, this.#options.knownSources?.(context));
    await this.#gate.restore(Date.now());
    const batchesHelp = 'Batches of lines refined, in the refine threads or on the main thread (when the threads are busy, or there are none)';
    this.#batches = {
      thread: context.metrics.counter('webrequest_refine_batches_total', batchesHelp, { where: 'thread' }),
      main: context.metrics.counter('webrequest_refine_batches_total', batchesHelp, { where: 'main' }),
    };
    const injected = this.#options.saltStore;
    const held =
      injected === undefined
        ? acquireSaltStore(context)
        : { store: injected, rotationMs: Number(context.config.saltRotationMs ?? DEFAULT_SALT_ROTATION_MS), release: () => Promise.resolve() };
    this.#salts = new RefineSalts(held, context, collector);
    this.#threads = context.threads;
    this.#maxInFlight = compileRefineBoltOptions({ maxBatchesInFlight: this.#maxBatchesInFlight }, this.#threads?.threads ?? 0).maxBatchesInFlight;
    const geo = await openSharedGeoReader();
    this.#geo = geo;
    this.#geoDatabases = geo.databases;
  }

  execute(tuple: Tuple): void | Promise<void> {
    if (tuple.isTick()) return this.#emitWatermark();
    const open = this.#open;
    open.tuples.push(tuple);
    open.lines.push(valueText(tuple.get('value')));
    open.sources.push(webrequestSourceOf(tuple.get<string>('topic'), this.#fallbackSource));
    if (open.tuples.length >= this.#options.batchSize) this.#dispatch();
    else if (!this.#dispatchQueued) {
      // Send what there is once this round of the scheduler is over.
      this.#dispatchQueued = true;
      setImmediate(() => this.#dispatch());
    }
    if (this.#inFlight.size >= this.#maxInFlight) return this.#inFlight.below(this.#maxInFlight);
  }

  /** Sends the open batch and waits until every batch is emitted. */
  flush(): Promise<void> {
    this.#dispatch();
    return this.#inFlight.drained();
  }

  async cleanup(): Promise<void> {
    this.#closed = true;
    const summary = this.#gate?.summary();
    if (summary !== undefined) this.#logger.warn(summary);
    await this.#salts?.release();
  }

  #dispatch(): void {
    this.#dispatchQueued = false;
    const open = this.#open;
    if (open.tuples.length === 0) return;
    this.#open = new OpenBatch();
    // The threads get a batch while they have fewer than two each; otherwise this thread would
    // only wait, so it refines the batch itself (also while the threads are still starting).
    const threads = this.#threads;
    const inThread = threads !== undefined && threads.pending < 2 * threads.threads;
    (inThread ? this.#batches.thread : this.#batches.main).inc();
    this.#inFlight.add(open.tuples, this.#refine(open.lines, open.sources, inThread));
  }

  #settle(tuples: readonly Tuple[], outcome: Outcome<RefinedBatch>): void {
    if (outcome.ok && !this.#closed) this.#emit(tuples, outcome.value);
    else this.#failAll(tuples, outcome.ok ? new Error('the refine bolt was stopped') : outcome.error);
  }

  /**
   * Refines lines. When the first try lacks salts, fetches them and refines the batch again,
   * once: a batch lacks a salt only when a new period starts, so refining it twice is rare.
   */
  async #refine(lines: string[], sources: string[], inThread: boolean): Promise<RefinedBatch> {
    const batch: RefineBatch = { lines, sources, rotationMs: this.#salts.rotationMs, salts: [], ...(this.#options.encode ? { encoding: this.#options.encode } : {}) };
    const first = await this.#refineOnce(batch, inThread);
    const misses = new Set(first.failures.filter((f) => f.stage === 'salt').map((f) => f.period!));
    if (misses.size === 0) return first;
    const unavailable = await this.#salts.fetch(misses);
    const outcome = unavailable.size === misses.size ? first : await this.#refineOnce(batch, inThread);
    const failures = outcome.failures.map((f) => {
      const why = f.stage === 'salt' ? unavailable.get(f.period!) : undefined;
      return why === undefined ? f : { ...f, reason: `the salt of period ${f.period} is unavailable: ${why}` };
    });
    return { ...outcome, failures };
  }

  async #refineOnce(batch: RefineBatch, inThread: boolean): Promise<RefinedBatch> {
    if (inThread) return unpackRefinedBatch(await this.#threads!.run<ThreadRefineBatch, Uint8Array>(this.#options.threadModule, { ...batch, salts: this.#salts.forThreads(), geo: this.#geoDatabases }));
    const salts = this.#salts;
    return refineBatch(batch, { geo: this.#geo!, caches: this.#caches, saltFor: (period) => salts.cachedSalt(period), encoder: this.#encoder });
  }

  #emit(tuples: readonly Tuple[], outcome: RefinedBatch): void {
    const failed = new Map<number, RefineFailure>();
    for (const f of outcome.failures) failed.set(f.index, f);
    const c = this.#collector;
    const { hostnames, sequences, times, pageviews } = outcome.facts;
    const hosts = new Map<string, HostSequences>();
    /** Lines whose sequence facts are in this batch's sequence tuples: acked once those are emitted. */
    const counted: Tuple[] = [];
    const addFacts = (tuple: Tuple, source: string, hostname: string, sequence: number, ts: number | null) => {
      let host = hosts.get(hostname);
      if (host === undefined) hosts.set(hostname, (host = { sequences: [], times: [], sources: [], offsets: [], anchors: [] }));
      host.sequences.push(sequence);
      host.times.push(ts);
      host.sources.push(source);
      host.offsets.push(Number(tuple.get<number | string>('offset')));
      host.anchors.push(tuple);
      counted.push(tuple);
    };
    const encoded = outcome.encoded;
    const encoding = this.#encoder?.key;
    const now = Date.now();
    /** Lines refused by the event-time bounds: no hourly output sees them. */
    let refused: Set<number> | undefined;
    for (let i = 0; i < tuples.length; i++) {
      const tuple = tuples[i]!;
      const hostname = hostnames[i];
      const source = sourceOf(tuple);
      if (hostname !== null && hostname !== undefined) {
        const ts = times[i]!;
        // A record is written under the hour of its time: without one (dt '-') it goes to errors,
        // named by the field the user gave.
        const violation = ts === null ? { message: NO_EVENT_TIME } : this.#gate.admit(source, hostname, ts, now);
        if (violation !== undefined) {
          (refused ??= new Set()).add(i);
          c.emitTo('errors', [redactIps(valueText(tuple.get('value'))), violation.message, `${source}@${tuple.get<number | string>('offset')}`], tuple);
          // Delivered all the same: the sequence check counts it, without its time.
          addFacts(tuple, source, hostname, sequences[i]!, null);
          continue;
        }
        const record = encoded === undefined ? outcome.records![i] : new EncodedRecord(encoding!, encoded.data, i === 0 ? 0 : encoded.ends[i - 1]!, encoded.ends[i]!, ts ?? undefined);
        c.emit([record, tuple.get('topic'), tuple.get('partition'), tuple.get('offset'), leaseOf(tuple)], tuple);
        addFacts(tuple, source, hostname, sequences[i]!, ts);
        continue;
      }
      const failure = failed.get(i);
      if (failure === undefined || failure.stage === 'salt') {
        c.fail(tuple, failure?.reason ?? 'refine returned no outcome for this line');
        continue;
      }
      this.#malformed.inc();
      const text = valueText(tuple.get('value'));
      c.emitTo('errors', [redactIps(text), failure.reason, `${source}@${tuple.get<number | string>('offset')}`], tuple);
      // A malformed line was still delivered: when its host and sequence number can be read, the
      // sequence check counts it (as incomplete when its time cannot be read or is out of bounds), not as lost.
      const facts = sequenceFactsOf(text);
      if (facts !== undefined) addFacts(tuple, source, facts.hostname, facts.sequence, facts.ts !== null && this.#gate.inBounds(source, facts.ts, now) ? facts.ts : null);
      else c.ack(tuple);
    }
    for (let p = 0; p < pageviews.length; p += 3) {
      const i = pageviews[p] as number;
      const tuple = tuples[i]!;
      if (refused?.has(i) !== true) c.emitTo('pageviews', [pageviews[p + 1], pageviews[p + 2], times[i], sourceOf(tuple), Number(tuple.get<number | string>('offset'))], tuple);
    }
    // A line is acked only once its sequence tuple is anchored to it.
    for (const [hostname, host] of hosts) c.emitTo('sequence', [hostname, host.sequences, host.times, host.sources, host.offsets], host.anchors);
    for (const tuple of counted) c.ack(tuple);
    this.#emitWatermark(now);
  }

  /** Sends the low watermark on `watermark` when it moved: after the records it covers, to every hourly output. */
  #emitWatermark(now = Date.now()): void {
    if (this.#closed || !this.#watermarkStream) return;
    this.#gate.saveSources();
    const watermark = this.#gate.moved(now);
    if (watermark !== undefined) this.#collector.emitTo('watermark', [watermark], null);
  }

  #failAll(tuples: readonly Tuple[], error: unknown): void {
    const reason = redactIps(messageOf(error));
    for (const tuple of tuples) this.#collector.fail(tuple, reason);
  }
}

/** Why a record whose `dt` is `-` is not refined. */
const NO_EVENT_TIME = "field dt: '-' gives the record no time, and a refined record is written under the hour of its dt";
