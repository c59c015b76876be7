/**
 * Commits the committable offsets of assigned partitions, one commit at a time: on a timer, on
 * demand (a partition at `maxUncommittedOffsets`, a rebalance, close). A partition revoked
 * while its commit was being prepared is left out: its offsets belong to its new owner.
 */
import { type Logger, SquallError, messageOf } from '../../core/index.js';
import { KafkaErrorCodes } from './errors.js';
import type { KafkaSpoutMetrics } from './metrics.js';
import type { CommitPoint } from './offset-tracker.js';
import type { PartitionState } from './partition-state.js';
import type { KafkaSource } from './source.js';

export class OffsetCommitter {
  readonly #source: KafkaSource;
  readonly #partitions: () => Iterable<PartitionState>;
  readonly #metrics: KafkaSpoutMetrics;
  readonly #logger: Logger;
  readonly #onCommitted: () => void;
  readonly #onStaleMember: (why: string) => void;
  #running: Promise<boolean> | undefined;
  #queued: Promise<boolean> | undefined;
  #soon = false;
  #failures = 0;

  constructor(options: {
    source: KafkaSource;
    partitions: () => Iterable<PartitionState>;
    metrics: KafkaSpoutMetrics;
    logger: Logger;
    /** Called after each successful commit, so paused partitions can resume. */
    onCommitted: () => void;
    /** Called when the group refuses a commit because this member left its generation. */
    onStaleMember?: (why: string) => void;
  }) {
    this.#source = options.source;
    this.#partitions = options.partitions;
    this.#metrics = options.metrics;
    this.#logger = options.logger;
    this.#onCommitted = options.onCommitted;
    this.#onStaleMember = options.onStaleMember ?? (() => {});
  }

  /**
   * Commits what is committable now, after any commit in progress. Resolves true when it
   * succeeded (or there was nothing to commit); never rejects.
   */
  commitNow(): Promise<boolean> {
    if (this.#running === undefined) {
      this.#running = this.#commitOnce().finally(() => (this.#running = undefined));
      return this.#running;
    }
    this.#queued ??= this.#running.then(() => {
      this.#queued = undefined;
      return this.commitNow();
    });
    return this.#queued;
  }

  /** Commits on the next turn of the event loop, once however often it is asked. */
  commitSoon(): void {
    if (this.#soon) return;
    this.#soon = true;
    setImmediate(() => {
      this.#soon = false;
      void this.commitNow();
    });
  }

  async #commitOnce(): Promise<boolean> {
    const entries: { state: PartitionState; point: CommitPoint }[] = [];
    for (const state of this.#partitions()) {
      if (state.status !== 'ready') continue;
      const point = state.offsets.pendingCommit();
      if (point !== undefined) entries.push({ state, point });
    }
    if (entries.length === 0) return true;
    try {
      await this.#source.commit(entries.map(({ state, point }) => ({ topic: state.topic, partition: state.partition, offset: String(point.offset) })));
    } catch (error) {
      this.#metrics.commitFailures.inc();
      const code = error instanceof SquallError ? error.code : undefined;
      if (code === KafkaErrorCodes.STALE_MEMBER) this.#onStaleMember(messageOf(error));
      if (code === KafkaErrorCodes.STALE_MEMBER || code === KafkaErrorCodes.REBALANCING) {
        // Routine in a rebalance: the next assignment says what is ours to commit.
        this.#logger.debug(`offset commit not taken: ${messageOf(error)}`, { partitions: entries.length });
        return false;
      }
      this.#failures++;
      // The first failure and every tenth are logged; the gauge of uncommitted offsets shows the rest.
      if (this.#failures === 1 || this.#failures % 10 === 0) {
        this.#logger.warn(`offset commit failed (${this.#failures} in a row); the next commit retries it: ${messageOf(error)}`, { partitions: entries.length });
      }
      return false;
    }
    this.#failures = 0;
    this.#metrics.commits.inc();
    for (const { state, point } of entries) {
      if (state.revoked) continue;
      const before = state.offsets.uncommitted;
      state.offsets.committed(point);
      this.#metrics.committedOffsets.inc(before - state.offsets.uncommitted);
    }
    this.#onCommitted();
    return true;
  }
}
