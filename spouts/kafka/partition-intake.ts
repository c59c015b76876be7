/**
 * The Kafka side of the spout: takes fetched records into the bounded buffer, follows the
 * group's assignments, works out where each new partition starts, and pauses or resumes
 * fetching so that memory stays bounded.
 *
 * A partition is paused while the spout is deactivated, while its start offset is being worked
 * out, while the buffer is full (until it drains to half), and, with at-least-once, while it has
 * `maxUncommittedOffsets` offsets taken and not committed.
 */
import { type Logger, SquallError, isSuperseded, messageOf, numberRuns } from '../../core/index.js';
import { KafkaErrorCodes } from './errors.js';
import { firstPollSeek } from './first-poll.js';
import type { KafkaSpoutMetrics } from './metrics.js';
import type { KafkaSpoutConfig } from './options.js';
import { PartitionState, partitionKey } from './partition-state.js';
import { type BufferedRecord, RecordBuffer } from './record-buffer.js';
import { parseOffset } from './record-values.js';
import type { KafkaSource, SourceBatch, SourceListener, TopicPartition } from './source.js';
import { TopicLookups } from './topic-lookups.js';

/** What the intake needs from its spout. */
export interface IntakeHooks {
  /** Records were added to an empty-or-not buffer; a waiting `nextTuple` may go on. */
  arrived(): void;
  /** A partition is held back by uncommitted offsets that a commit would release. */
  commitSoon(): void;
  /** The group is about to rebalance. */
  rebalancing(): void;
  reportError(error: unknown): void;
  /** The consumer crashed; `restarting` says whether the client restarts it (see consumer-crashes.ts). */
  crashed(error: unknown, restarting: boolean): void;
  /** Resolves after `ms`, or at once when the spout closes. */
  delay(ms: number): Promise<void>;
  /** The delay before attempt `attempt` of a failed start-offset lookup. */
  retryDelayMs(attempt: number): number;
}

/** How long a batch waits for buffer space before its partition is paused, in ms. */
const SPACE_WAIT_MS = 250;

export class PartitionIntake implements SourceListener {
  readonly buffer: RecordBuffer;
  readonly #config: KafkaSpoutConfig;
  readonly #source: KafkaSource;
  readonly #logger: Logger;
  readonly #metrics: KafkaSpoutMetrics;
  readonly #hooks: IntakeHooks;
  readonly #partitions = new Map<string, PartitionState>();
  readonly #assignedBefore = new Set<string>();
  readonly #uncommittedLimit: number;
  #memberId: string | undefined;
  #epoch = 0;
  #active = true;
  #running = true;
  #bufferBlocked = false;
  #spaceWaiter: (() => void) | undefined;
  readonly #spaceWaitMs: number;

  constructor(options: { config: KafkaSpoutConfig; source: KafkaSource; logger: Logger; metrics: KafkaSpoutMetrics; hooks: IntakeHooks }) {
    this.#config = options.config;
    this.#source = options.source;
    this.#logger = options.logger;
    this.#metrics = options.metrics;
    this.#hooks = options.hooks;
    this.buffer = new RecordBuffer(options.config.maxBufferedRecords);
    this.#spaceWaitMs = Math.min(SPACE_WAIT_MS, options.config.heartbeatIntervalMs);
    this.#uncommittedLimit = options.config.processingGuarantee === 'at-least-once' ? options.config.maxUncommittedOffsets : Infinity;
  }

  /** The assigned partitions. */
  partitions(): IterableIterator<PartitionState> {
    return this.#partitions.values();
  }

  /** Pauses (false) or resumes (true) every partition, for deactivate and activate. */
  setActive(active: boolean): void {
    this.#active = active;
    if (!active) this.#spaceWaiter?.();
    this.updateFlow();
  }

  /** Stops taking records for good (close). */
  stop(): void {
    this.#running = false;
    this.#spaceWaiter?.();
  }

  /** The next buffered record, resuming fetching once the buffer has drained to half. */
  shift(): BufferedRecord | undefined {
    const record = this.buffer.shift();
    if (this.buffer.size <= this.buffer.lowWater) {
      this.#spaceWaiter?.();
      if (this.#bufferBlocked) {
        this.#bufferBlocked = false;
        this.updateFlow();
      }
    }
    return record;
  }

  /**
   * Takes what fits of a batch. When the buffer fills mid-batch it first waits briefly for the
   * spout to drain it to half, as it does when downstream keeps up; only if that does not happen
   * are the partitions paused. (kafkajs sleeps `fetchMaxWaitMs` when every partition is paused,
   * which would starve a spout that drains fast.)
   */
  batch(batch: SourceBatch): number | Promise<number> {
    const state = this.#partitions.get(partitionKey(batch.topic, batch.partition));
    if (state === undefined || state.status !== 'ready' || !this.#running) return 0;
    state.highWatermark = Number(batch.highWatermark);
    const taken = this.#take(state, batch.messages, 0);
    return this.#mayWait(state, batch, taken) ? this.#takeAsSpaceFrees(state, batch, taken) : this.#leave(state, batch, taken);
  }

  /** True when the batch stopped on a full buffer alone, so space may come soon. */
  #mayWait(state: PartitionState, batch: SourceBatch, taken: number): boolean {
    return (
      taken < batch.messages.length &&
      this.buffer.full &&
      this.#active &&
      this.#running &&
      state.status === 'ready' &&
      state.offsets.uncommitted < this.#uncommittedLimit &&
      this.#spaceWaiter === undefined
    );
  }

  async #takeAsSpaceFrees(state: PartitionState, batch: SourceBatch, taken: number): Promise<number> {
    while (this.#mayWait(state, batch, taken) && (await this.#waitForSpace())) {
      if (state.status !== 'ready' || !this.#running) break;
      taken = this.#take(state, batch.messages, taken);
    }
    return this.#leave(state, batch, taken);
  }

  #leave(state: PartitionState, batch: SourceBatch, taken: number): number {
    if (taken < batch.messages.length && !state.revoked) {
      if (this.buffer.full) this.#bufferBlocked = true;
      this.updateFlow(state);
    }
    return taken;
  }

  #waitForSpace(): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (space: boolean) => {
        clearTimeout(timer);
        this.#spaceWaiter = undefined;
        resolve(space);
      };
      const timer = setTimeout(() => done(false), this.#spaceWaitMs);
      this.#spaceWaiter = () => done(true);
    });
  }

  /** Takes messages from index `from` on while they fit; returns the index it stopped at. */
  #take(state: PartitionState, messages: SourceBatch['messages'], from: number): number {
    const offsets = state.offsets;
    let taken = from;
    let tracked = 0;
    for (; taken < messages.length; taken++) {
      const offset = Number(messages[taken]!.offset);
      const next = offsets.nextOffset;
      // Taken already: kafkajs fetched from the committed offset again after a rejoin.
      if (next !== undefined && offset < next) continue;
      if (!this.#active || this.buffer.full || offsets.uncommitted >= this.#uncommittedLimit) break;
      offsets.track(offset);
      this.buffer.push({ partition: state, message: messages[taken]! });
      tracked++;
    }
    this.#metrics.polled.inc(tracked);
    if (tracked > 0) this.#hooks.arrived();
    return taken;
  }

  assigned(memberId: string, assignment: Readonly<Record<string, readonly number[]>>): void {
    this.#metrics.rebalances.inc();
    // A new member id means the group dropped us in between: nothing we hold is ours any more.
    const rejoined = memberId !== this.#memberId;
    this.#memberId = memberId;
    const next = new Map<string, TopicPartition>();
    for (const [topic, partitions] of Object.entries(assignment)) for (const partition of partitions) next.set(partitionKey(topic, partition), { topic, partition });
    const revokedKeys: string[] = [];
    for (const state of [...this.#partitions.values()]) {
      if (rejoined || !next.has(state.key)) {
        this.#revoke(state);
        if (!next.has(state.key)) revokedKeys.push(state.key);
      }
    }
    let added = 0;
    const lookups = new TopicLookups(this.#source);
    for (const [key, { topic, partition }] of next) {
      const kept = this.#partitions.get(key);
      if (kept !== undefined && kept.status !== 'fenced') {
        // kafkajs reads a kept partition from its committed offset again; continue where we were.
        kept.paused = undefined;
        if (kept.status === 'ready' && kept.offsets.nextOffset !== undefined) this.#seek(kept, kept.offsets.nextOffset);
        if (kept.lease !== null) void this.#verifyLease(kept, lookups);
        continue;
      }
      // A fenced partition assigned again is acquired afresh: a new state, a new lease.
      if (kept !== undefined) this.#revoke(kept, false);
      this.#add(topic, partition, lookups);
      added++;
    }
    this.updateFlow(undefined, true);
    this.#logger.info(rebalanceSummary(next.keys(), revokedKeys), { memberId, new: added });
  }

  #add(topic: string, partition: number, lookups: TopicLookups): void {
    const state = new PartitionState(topic, partition, ++this.#epoch);
    this.#partitions.set(state.key, state);
    this.#metrics.partition(topic, partition, () => this.#partitions.get(state.key));
    void this.#start(state, lookups);
  }

  /**
   * A kept partition's lease may have been fenced while this member was away (paused past its
   * session): then it is acquired afresh, and what it had in flight is another owner's.
   */
  async #verifyLease(state: PartitionState, lookups: TopicLookups): Promise<void> {
    const lease = state.lease!;
    let held: boolean;
    try {
      held = await this.#config.fence!.holds(state.topic, state.partition, lease);
    } catch (error) {
      this.#logger.warn(`could not check the lease of ${state.key}; it is acquired afresh: ${messageOf(error)}`);
      held = false;
    }
    if (held || state.revoked || !this.#running || this.#partitions.get(state.key) !== state) return;
    this.#logger.info(`${state.key} was fenced by a newer writer while this member held it; acquiring it again`, { lease });
    this.#revoke(state, false);
    this.#add(state.topic, state.partition, lookups);
    this.updateFlow();
  }

  /**
   * The sink refused a record of this partition as fenced: a newer writer holds its lease. It
   * is not read again until the group assigns it afresh (a rebalance follows a zombie's return).
   */
  fenced(state: PartitionState): void {
    if (state.status === 'revoked' || state.status === 'fenced') return;
    this.#markFenced(state, `${state.key} is held by a newer writer`);
  }

  #markFenced(state: PartitionState, why: string): void {
    state.status = 'fenced';
    state.fencedAt = Date.now();
    const dropped = this.buffer.removePartition(state);
    this.#metrics.fencedPartitions.inc();
    this.#logger.info(`${why}; it is not read until this member's membership is confirmed (a heartbeat) or the group assigns it again`, { lease: state.lease, buffered: dropped });
    this.updateFlow(state);
  }

  /**
   * The group answered a heartbeat: this member is in the current generation, and its
   * assignment stands. A partition it holds that stays fenced past `fenceRetryMs` was fenced by a
   * writer that is not its owner (a member that acquired late, after the partition moved): it is
   * acquired again. A zombie gets no heartbeat answer, so it never fences the owner back this way.
   */
  heartbeat(): void {
    if (this.#config.fence === undefined || !this.#running) return;
    const due = Date.now() - this.#config.fenceRetryMs;
    let again = 0;
    const lookups = new TopicLookups(this.#source);
    for (const state of [...this.#partitions.values()]) {
      if (state.status !== 'fenced' || state.fencedAt > due) continue;
      this.#revoke(state, false);
      this.#add(state.topic, state.partition, lookups);
      again++;
    }
    if (again === 0) return;
    this.#logger.info(`acquiring ${again} fenced partitions again: the group confirms this member holds them`);
    this.updateFlow();
  }

  /**
   * The group refused this member's offset commit because it is no longer a member of the
   * current generation: every lease it holds is released, so its sink commits nothing more,
   * and its partitions wait for the next assignment.
   */
  ownershipLost(why: string): void {
    const leased = [...this.#partitions.values()].filter((s) => s.lease !== null && s.status !== 'revoked');
    if (leased.length === 0) return;
    this.#logger.info(`the group moved on without this member (${why}); releasing ${leased.length} leases until it is assigned partitions again`);
    for (const state of leased) {
      this.#release(state);
      this.fenced(state);
    }
  }

  rebalancing(): void {
    this.#hooks.rebalancing();
  }

  crashed(error: unknown, restarting: boolean): void {
    this.#hooks.crashed(error, restarting);
  }

  /** Tells the consumer to pause or resume partitions whose state changed (all of them with `force`). */
  updateFlow(only?: PartitionState, force = false): void {
    const pause: PartitionState[] = [];
    const resume: PartitionState[] = [];
    for (const state of only === undefined ? this.#partitions.values() : [only]) {
      const limited = state.offsets.uncommitted >= this.#uncommittedLimit;
      if (limited && state.offsets.committable > 0) this.#hooks.commitSoon();
      const want = !this.#running || !this.#active || state.status !== 'ready' || this.#bufferBlocked || limited;
      if (!force && want === state.paused) continue;
      state.paused = want;
      (want ? pause : resume).push(state);
    }
    try {
      this.#source.pause(pause);
      this.#source.resume(resume);
    } catch (error) {
      // The consumer is between a crash and its restart; the next assignment says it again.
      for (const state of [...pause, ...resume]) state.paused = undefined;
      this.#logger.debug(`could not pause or resume partitions: ${messageOf(error)}`);
    }
  }

  /** Forgets a partition; with `moved`, it went to another member, which reads on from the last commit. */
  #revoke(state: PartitionState, moved = true): void {
    state.status = 'revoked';
    this.#partitions.delete(state.key);
    const dropped = this.buffer.removePartition(state);
    this.#metrics.revokedPartitions.inc();
    this.#release(state);
    if (dropped > 0 || state.offsets.inFlight > 0) this.#logger.debug(`${state.key} revoked${moved ? '' : ' to be acquired again'}`, { buffered: dropped, inFlight: state.offsets.inFlight });
    if (this.#bufferBlocked && this.buffer.size <= this.buffer.lowWater) this.#bufferBlocked = false;
  }

  /** Gives up a partition's lease (best effort: a newer owner's acquisition fences it anyway). */
  #release(state: PartitionState): void {
    const lease = state.lease;
    if (lease === null || this.#config.fence === undefined) return;
    this.#config.fence.release(state.topic, state.partition, lease).catch((error: unknown) => {
      this.#logger.debug(`could not release the lease of ${state.key}: ${messageOf(error)}`, { lease });
    });
  }

  #seek(state: PartitionState, offset: number): void {
    this.#source.seek({ topic: state.topic, partition: state.partition }, String(offset));
  }

  /** Works out where a new partition starts, seeks there, and lets it be read. */
  async #start(state: PartitionState, lookups: TopicLookups): Promise<void> {
    const first = !this.#assignedBefore.has(state.key);
    this.#assignedBefore.add(state.key);
    for (let attempt = 1; ; attempt++) {
      try {
        const offset = await this.#startOffset(state, first, lookups);
        if (state.revoked || !this.#running) return;
        if (state.status === 'fenced') {
          this.updateFlow(state);
          return;
        }
        if (offset !== undefined) {
          this.#seek(state, offset);
          state.offsets.seek(offset);
        }
        state.status = 'ready';
        this.updateFlow(state);
        return;
      } catch (error) {
        if (state.revoked || !this.#running) return;
        this.#hooks.reportError(
          error instanceof SquallError
            ? error
            : new SquallError(KafkaErrorCodes.START_OFFSETS, `cannot work out where ${state.key} starts (attempt ${attempt}; it stays paused and is tried again): ${messageOf(error)}`, { retriable: true, cause: error }),
        );
        await this.#hooks.delay(this.#hooks.retryDelayMs(attempt));
        lookups = new TopicLookups(this.#source);
      }
    }
  }

  async #startOffset(state: PartitionState, first: boolean, lookups: TopicLookups): Promise<number | undefined> {
    const { topic, partition } = state;
    const fence = this.#config.fence;
    if (fence !== undefined) {
      const committed = (await lookups.committed(topic)).find((p) => p.partition === partition)?.offset;
      const acquired = await fence.acquire(topic, partition, { committedOffset: committed });
      if (isSuperseded(acquired)) {
        if (!state.revoked) this.#markFenced(state, `${state.key} was acquired by a newer writer (lease ${acquired.superseded}) while this member acquired it`);
        return undefined;
      }
      if (state.revoked || !this.#running) {
        // Revoked while acquiring: the lease is nobody's. Let it go at once; the partition's owner
        // acquires again (see heartbeat) if this acquisition fenced it.
        fence.release(topic, partition, acquired.lease).catch(() => {});
        return undefined;
      }
      state.lease = acquired.lease;
      if (acquired.startOffset !== undefined) return acquired.startOffset;
      return this.#strategyOffset(state, first, lookups);
    }
    const hook = this.#config.startOffsets;
    if (hook !== undefined) {
      const committed = (await lookups.committed(topic)).find((p) => p.partition === partition)?.offset;
      const raw = await hook(topic, partition, { committedOffset: committed });
      if (raw !== undefined) {
        const offset = parseOffset(raw);
        if (offset === undefined) {
          throw new SquallError(KafkaErrorCodes.START_OFFSETS, `startOffsets returned ${JSON.stringify(raw)} for ${state.key}: return a decimal offset string such as '42', or undefined to use the first-poll strategy`, { retriable: true });
        }
        return offset;
      }
    }
    return this.#strategyOffset(state, first, lookups);
  }

  /** Where the first-poll strategy starts a partition; undefined to read from the group's commit. */
  async #strategyOffset(state: PartitionState, first: boolean, lookups: TopicLookups): Promise<number | undefined> {
    const { topic, partition } = state;
    const end = firstPollSeek(this.#config.firstPollOffsetStrategy, first);
    if (end === undefined) return undefined;
    const mark = (await lookups.watermarks(topic)).find((p) => p.partition === partition);
    if (mark === undefined) throw new Error(`the broker reported no offsets for ${state.key}`);
    return Number(end === 'earliest' ? mark.low : mark.high);
  }
}

/** `webrequest_text` 0-2 and 5 as `webrequest_text 0-2,5`: partitions of a topic as runs. */
function partitionRuns(keys: Iterable<string>): string {
  const byTopic = new Map<string, number[]>();
  for (const key of keys) {
    const i = key.lastIndexOf('/');
    const list = byTopic.get(key.slice(0, i)) ?? [];
    list.push(Number(key.slice(i + 1)));
    byTopic.set(key.slice(0, i), list);
  }
  const out: string[] = [];
  for (const [topic, list] of byTopic) out.push(`${topic} ${numberRuns(list)}`);
  return out.join('; ');
}

/** One line for a rebalance, in the group's words: what this member holds, what moved away. */
export function rebalanceSummary(held: Iterable<string>, moved: readonly string[]): string {
  const holding = partitionRuns(held);
  const line = holding === '' ? 'rebalance: this member holds no partitions' : `rebalance: holding ${holding}`;
  return moved.length === 0 ? line : `${line}; ${partitionRuns(moved)} moved to another member`;
}
