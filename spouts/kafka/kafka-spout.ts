/**
 * The Kafka spout: records of Kafka topics as tuples, with Storm's processing guarantees.
 *
 * kafkajs fetches into a bounded buffer (see `partition-intake.ts`); `nextTuple` drains it
 * synchronously, many records per call, and when it is empty returns a promise that settles
 * once records arrive or after `pollTimeoutMs`. With at-least-once each tuple carries a
 * {@link KafkaMessageId}; acked offsets are committed as a contiguous prefix per partition,
 * failed ones are retried with exponential backoff and, after `maxRetries`, go to the `errors`
 * stream. Records that cannot be decoded go to `errors` too. Nothing is dropped silently.
 *
 * States: created → running → closing → closed.
 */
import {
  ErrorCodes,
  isStorageFaultCode,
  type FailReason,
  type Logger,
  type Spout,
  type SpoutOutputCollector,
  type SpoutRecordCounts,
  type TopologyContext,
  SquallError,
  messageOf,
  nullLogger,
} from '../../core/index.js';
import { compileKafkaSpoutOptions } from './compile-options.js';
import { ConsumerCrashes } from './consumer-crashes.js';
import { withDeadline } from './deadline.js';
import { KafkaErrorCodes } from './errors.js';
import { resetsToEarliest } from './first-poll.js';
import { joinNotice } from './join-notice.js';
import { kafkajsSource } from './kafkajs-source.js';
import { KafkaSpoutMetrics } from './metrics.js';
import { OffsetCommitter } from './offset-committer.js';
import type { KafkaSpoutConfig, KafkaSpoutOptions } from './options.js';
import { PartitionIntake } from './partition-intake.js';
import { KafkaMessageId, type PartitionState } from './partition-state.js';
import type { BufferedRecord } from './record-buffer.js';
import { RecordEmitter, describeFailure } from './record-emitter.js';
import { ExponentialBackoff, RetryQueue } from './retry-policy.js';
import type { KafkaSource } from './source.js';

export type KafkaSpoutState = 'created' | 'running' | 'closing' | 'closed';

export class KafkaSpout implements Spout {
  readonly config: KafkaSpoutConfig;
  readonly #backoff: ExponentialBackoff;
  readonly #retries = new RetryQueue<KafkaMessageId>();
  readonly #timers = new Map<NodeJS.Timeout, () => void>();
  #state: KafkaSpoutState = 'created';
  #logger: Logger = nullLogger;
  #metrics!: KafkaSpoutMetrics;
  #source!: KafkaSource;
  #intake!: PartitionIntake;
  #unwrittenAtClose: number | undefined;
  #committer!: OffsetCommitter;
  #emitter!: RecordEmitter;
  #budget = 256;
  readonly #earlyCommit: number;
  #active = true;
  #wake: (() => void) | undefined;
  #commitTimer: NodeJS.Timeout | undefined;
  #awaitingCommit: BufferedRecord[] = [];
  #closing: Promise<void> | undefined;

  constructor(options: KafkaSpoutOptions) {
    this.config = compileKafkaSpoutOptions(options);
    this.#backoff = new ExponentialBackoff(this.config.retry);
    this.#earlyCommit = Math.ceil(this.config.maxUncommittedOffsets / 2);
  }

  get state(): KafkaSpoutState {
    return this.#state;
  }

  async open(context: TopologyContext, collector: SpoutOutputCollector): Promise<void> {
    const c = this.config;
    this.#logger = context.logger.child('kafka-spout', { groupId: c.groupId });
    const batchSize = Number(context.config.batchSize);
    this.#budget = Number.isInteger(batchSize) && batchSize > 0 ? batchSize : 256;
    const sum = (f: (s: PartitionState) => number) => () => {
      let n = 0;
      // Gauges may be read before the intake exists.
      for (const s of (this.#intake as PartitionIntake | undefined)?.partitions() ?? []) n += f(s);
      return n;
    };
    this.#metrics = new KafkaSpoutMetrics(context.metrics, {
      buffered: () => (this.#intake as PartitionIntake | undefined)?.buffer.size ?? 0,
      uncommitted: sum((s) => s.offsets.uncommitted),
      inFlight: sum((s) => s.offsets.inFlight),
      assigned: sum(() => 1),
      paused: sum((s) => (s.paused === true ? 1 : 0)),
      lag: sum((s) => s.lag()),
    });
    this.#emitter = new RecordEmitter({ config: c, collector, outputs: (stream) => context.outputFields(stream), metrics: this.#metrics });
    this.#emitter.requireStreams(context.componentId);
    const crashes = new ConsumerCrashes({
      brokers: c.brokers,
      logger: this.#logger,
      metrics: this.#metrics,
      reportError: (error) => collector.reportError(error),
      reportFatalError: (error) => collector.reportFatalError(error),
      delay: (ms) => this.#delay(ms).then(() => this.#state === 'running'),
    });
    this.#source = (c.source ?? kafkajsSource)({
      brokers: c.brokers,
      clientId: c.clientId,
      groupId: c.groupId,
      topics: c.subscription,
      fromBeginning: resetsToEarliest(c.firstPollOffsetStrategy),
      sessionTimeoutMs: c.sessionTimeoutMs,
      heartbeatIntervalMs: c.heartbeatIntervalMs,
      maxBytesPerPartition: c.maxBytesPerPartition,
      fetchMaxWaitMs: c.fetchMaxWaitMs,
      logger: this.#logger,
      beforeRestart: (error) => crashes.beforeRestart(error),
    });
    this.#intake = new PartitionIntake({
      config: c,
      source: this.#source,
      logger: this.#logger,
      metrics: this.#metrics,
      hooks: {
        arrived: () => {
          crashes.recovered();
          this.#wake?.();
        },
        commitSoon: () => this.#committer.commitSoon(),
        rebalancing: () => {
          if (this.#state === 'running' && c.processingGuarantee !== 'at-most-once') void this.#committer.commitNow();
        },
        reportError: (error) => collector.reportError(error),
        crashed: (error, restarting) => crashes.crashed(error, restarting),
        delay: (ms) => this.#delay(ms),
        retryDelayMs: (attempt) => this.#backoff.delayMs(attempt),
      },
    });
    this.#committer = new OffsetCommitter({
      source: this.#source,
      partitions: () => this.#intake.partitions(),
      metrics: this.#metrics,
      logger: this.#logger,
      onCommitted: () => this.#intake.updateFlow(),
      onStaleMember: (why) => this.#intake.ownershipLost(why),
    });
    this.#state = 'running';
    const joining = joinNotice(this.#logger, c.groupId, c.sessionTimeoutMs);
    try {
      await this.#source.start(this.#intake);
    } catch (error) {
      this.#state = 'closed';
      this.#intake.stop();
      await this.#source.stop().catch(() => {});
      const what = c.topics?.join(', ') ?? String(c.subscription[0]);
      clearTimeout(joining);
      throw new SquallError(
        KafkaErrorCodes.CONNECT,
        `cannot consume ${what} from ${c.brokers.join(', ')} as group '${c.groupId}': ${messageOf(error)}. Check that Kafka is up (bash infra/kafka.sh status) and the brokers option`,
        { retriable: true, cause: error, component: context.componentId },
      );
    }
    clearTimeout(joining);
    if (c.processingGuarantee !== 'at-most-once') {
      this.#commitTimer = setInterval(() => void this.#committer.commitNow(), c.commitIntervalMs);
      this.#commitTimer.unref();
    }
  }

  nextTuple(): void | Promise<void> {
    if (this.#state !== 'running' || !this.#active) return;
    if (this.config.processingGuarantee === 'at-most-once') return this.#nextAtMostOnce();
    if (this.#drain() > 0) return;
    return this.#waitForRecords().then(() => void this.#drain());
  }

  ack(msgId: unknown): void {
    if (!(msgId instanceof KafkaMessageId)) return;
    const state = msgId.partition;
    if (state.revoked) {
      this.#metrics.staleCallbacks.inc();
      return;
    }
    if (!state.offsets.done(msgId.offset)) return;
    this.#metrics.acked.inc();
    // Commit before the partition reaches maxUncommittedOffsets and has to pause, not only on the interval.
    if (state.offsets.committable >= this.#earlyCommit) this.#committer.commitSoon();
  }

  fail(msgId: unknown, reason: FailReason): void {
    if (!(msgId instanceof KafkaMessageId)) return;
    const state = msgId.partition;
    if (state.revoked) {
      this.#metrics.staleCallbacks.inc();
      return;
    }
    if (reason.code === ErrorCodes.PARTITION_FENCED) {
      // Not a failure to retry: a newer writer holds the partition and writes this record.
      this.#metrics.fencedRecords.inc();
      this.#intake.fenced(state);
      return;
    }
    const now = Date.now();
    if (isStorageFaultCode(reason.code)) {
      // Not the record's fault (a full disk): replayed without counting an attempt, so it is never
      // given up for it. The writer holds its input meanwhile, so this is no replay storm.
      this.#retries.schedule(msgId, now);
      this.#wake?.();
      return;
    }
    msgId.failures++;
    if (msgId.kind === 'error') {
      // An error record is never given up on: its offset commits only once it is acked.
      if (msgId.failures === 1 || msgId.failures % 10 === 0) {
        this.#logger.warn(`the errors-stream tuple of ${String(msgId)} failed ${msgId.failures} times; emitting it again`, { reason: describeFailure(reason) });
      }
      this.#retries.schedule(msgId, now + this.#backoff.delayMs(msgId.failures));
      return;
    }
    if (this.#backoff.canRetry(msgId.failures)) {
      this.#metrics.retries.inc();
      this.#retries.schedule(msgId, now + this.#backoff.delayMs(msgId.failures));
      return;
    }
    this.#metrics.errorsRetries.inc();
    const why = `failed ${msgId.failures} times, no retries left (maxRetries ${this.config.retry.maxRetries}); last failure: ${describeFailure(reason)}`;
    const values = [this.#emitter.valueForErrors(msgId.message), why, String(msgId)];
    this.#retries.schedule(new KafkaMessageId(state, msgId.offset, msgId.message, 'error', values), now);
    this.#wake?.();
  }

  /** Records given up (sent to errors once their retries ran out), and records taken and not done (read again by the next run). */
  records(): SpoutRecordCounts {
    return { givenUp: this.#metrics?.errorsRetries.value ?? 0, unwritten: this.#unwrittenAtClose ?? this.#unwritten() };
  }

  #unwritten(): number {
    let n = 0;
    for (const s of (this.#intake as PartitionIntake | undefined)?.partitions() ?? []) n += s.offsets.inFlight;
    return n;
  }

  activate(): void {
    this.#active = true;
    if (this.#state === 'running') this.#intake.setActive(true);
  }

  deactivate(): void {
    this.#active = false;
    if (this.#state === 'running') this.#intake.setActive(false);
    this.#wake?.();
  }

  /** Commits what is committable and leaves the group, within `closeTimeoutMs`. Safe to call twice. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    if (this.#state !== 'running') {
      this.#state = 'closed';
      return;
    }
    this.#state = 'closing';
    const deadline = Date.now() + this.config.closeTimeoutMs;
    if (this.#commitTimer !== undefined) clearInterval(this.#commitTimer);
    for (const [timer, release] of this.#timers) {
      clearTimeout(timer);
      release();
    }
    this.#wake?.();
    // Counted before leaving the group, which takes the partitions away.
    this.#unwrittenAtClose = this.#unwritten();
    this.#intake.stop();
    if (this.config.processingGuarantee !== 'at-most-once') {
      const committed = await withDeadline(this.#committer.commitNow(), deadline);
      if (committed !== true) this.#logger.warn('close could not commit every acked offset; those records will be read again');
    }
    const left = await withDeadline(
      this.#source.stop().then(
        () => true,
        (error: unknown) => {
          this.#logger.warn(`leaving the consumer group failed: ${messageOf(error)}`);
          return false;
        },
      ),
      deadline,
    );
    if (left === undefined) this.#logger.warn(`close passed its ${this.config.closeTimeoutMs} ms deadline before the consumer disconnected`);
    this.#state = 'closed';
  }

  /** Emits due retries, then buffered records, up to one batch. Returns how many. */
  #drain(): number {
    if (this.#state !== 'running' || !this.#active) return 0;
    let emitted = 0;
    if (this.#retries.size > 0) {
      for (const id of this.#retries.takeDue(Date.now(), this.#budget)) {
        if (id.partition.status !== 'ready') continue;
        this.#emitter.emitAgain(id);
        emitted++;
      }
    }
    while (emitted < this.#budget) {
      const record = this.#intake.shift();
      if (record === undefined) break;
      this.#emitter.emitRecord(record.partition, record.message);
      emitted++;
    }
    return emitted;
  }

  #waitForRecords(): Promise<void> {
    return new Promise((resolve) => {
      const due = this.#retries.nextDueAt();
      const ms = due === undefined ? this.config.pollTimeoutMs : Math.min(Math.max(0, due - Date.now()), this.config.pollTimeoutMs);
      const finish = () => {
        clearTimeout(timer);
        if (this.#wake === finish) this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.#wake = finish;
    });
  }

  /** At-most-once: commit the offsets of a batch of records, then emit them. */
  #nextAtMostOnce(): void | Promise<void> {
    if (this.#awaitingCommit.length === 0) {
      const chunk: BufferedRecord[] = [];
      while (chunk.length < this.#budget) {
        const r = this.#intake.shift();
        if (r === undefined) break;
        r.partition.offsets.done(Number(r.message.offset));
        chunk.push(r);
      }
      if (chunk.length === 0) return this.#waitForRecords();
      this.#awaitingCommit = chunk;
    }
    return this.#committer.commitNow().then(() => {
      const waiting: BufferedRecord[] = [];
      for (const r of this.#awaitingCommit) {
        if (r.partition.revoked) continue;
        // Emitted only once its offset is committed; a failed commit is tried again next call.
        if ((r.partition.offsets.committedOffset ?? -1) > Number(r.message.offset)) this.#emitter.emitRecord(r.partition, r.message);
        else waiting.push(r);
      }
      this.#awaitingCommit = waiting;
    });
  }

  #delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        resolve();
      }, ms);
      timer.unref();
      this.#timers.set(timer, resolve);
    });
  }
}
