/**
 * Runs the tasks of one spout: polls `nextTuple` while the spout may emit, tracks each emitted
 * root with the acker, and calls `ack`/`fail` when trees complete. A spout is not polled while
 * it has `maxSpoutPending` roots in flight or while a queue downstream is full; the time spent
 * throttled is counted per reason.
 */
import type { TopologyContext } from '../context.js';
import type { Counter, Histogram } from '../metrics/registry.js';
import type { Spout, SpoutOutputCollector } from '../spout.js';
import type { FailReason } from '../tuple.js';
import type { RootOwner } from './acker.js';
import { type ExecutorHost, TIMED_EVERY, isPromiseLike } from './host.js';
import type { Throttleable } from './inbox.js';
import type { AnchorHook, StreamOut, TaskOutput } from './task-output.js';
import { randomInt32, type TupleImpl } from './tuple-impl.js';

/** Why a spout task is not polled: too many roots in flight, or a full queue downstream. */
export type ThrottleReason = 'pending' | 'backpressure';

export interface SpoutTaskMetrics {
  readonly acked: Counter;
  /** Trees failed, by the reason's kind (`squall_spout_failed_total{reason}`). */
  readonly failed: Readonly<Record<FailReason['kind'], Counter>>;
  readonly completeLatency: Histogram;
  readonly throttledPending: Counter;
  readonly throttledBackpressure: Counter;
}

export class SpoutTask implements SpoutOutputCollector, AnchorHook, RootOwner {
  readonly spout: Spout;
  readonly context: TopologyContext;
  readonly #output: TaskOutput;
  readonly #host: ExecutorHost;
  readonly #metrics: SpoutTaskMetrics;
  /** Roots in flight. */
  pending = 0;
  /** Tuples emitted (one per emit call). */
  emitted = 0;
  /** Why the task could not be polled when its executor's last step ended, if it could not. */
  heldBy: ThrottleReason | null = null;
  #rootId = 0;
  /** Trees completed since the last one timed. */
  #untimed = 0;
  #xorHi = 0;
  #xorLo = 0;

  constructor(spout: Spout, context: TopologyContext, output: TaskOutput, host: ExecutorHost, metrics: SpoutTaskMetrics) {
    this.spout = spout;
    this.context = context;
    this.#output = output;
    this.#host = host;
    this.#metrics = metrics;
  }

  get taskId(): number {
    return this.context.taskId;
  }

  emit(values: unknown[], msgId?: unknown): void {
    this.#emit(this.#output.defaultOut ?? this.#output.stream('default'), -1, values, msgId);
  }

  emitTo(stream: string, values: unknown[], msgId?: unknown): void {
    this.#emit(this.#output.stream(stream), -1, values, msgId);
  }

  emitDirect(taskId: number, stream: string, values: unknown[], msgId?: unknown): void {
    this.#emit(this.#output.stream(stream), taskId, values, msgId);
  }

  reportError(error: unknown): void {
    this.#host.reportError(this.context.componentId, this.taskId, error);
  }

  reportFatalError(error: unknown): void {
    this.#host.reportFatalError(this.context.componentId, this.taskId, error);
  }

  #emit(out: StreamOut, direct: number, values: unknown[], msgId: unknown): void {
    this.emitted++;
    const host = this.#host;
    if (msgId === undefined || !host.config.acking) {
      if (direct >= 0) this.#output.sendDirect(out, direct, values, null);
      else this.#output.send(out, values, null);
      // With acking off, Storm acks a tracked emit at once so the spout can let go of it.
      if (msgId !== undefined) this.#callAck(msgId);
      return;
    }
    const rootId = host.acker.init(this, this.taskId, msgId, host.now);
    this.pending++;
    this.#rootId = rootId;
    this.#xorHi = 0;
    this.#xorLo = 0;
    try {
      if (direct >= 0) this.#output.sendDirect(out, direct, values, this);
      else this.#output.send(out, values, this);
    } catch (error) {
      // A refused emit (wrong arity, a bad direct target or custom index) puts no tree in flight: left
      // tracked, it would hold a maxSpoutPending slot and fail as a timeout much later.
      host.acker.discard(rootId);
      this.pending--;
      throw error;
    }
    // Seeds the tree with its first edges; completes it at once when nobody subscribes.
    host.acker.ack(rootId, this.#xorHi, this.#xorLo);
  }

  anchorTuple(tuple: TupleImpl): void {
    const hi = randomInt32();
    const lo = randomInt32();
    tuple.rootTask = this.taskId;
    tuple.rootId = this.#rootId;
    tuple.edgeHi = hi;
    tuple.edgeLo = lo;
    this.#xorHi ^= hi;
    this.#xorLo ^= lo;
  }

  rootAcked(_task: number, msgId: unknown, startedAt: number): void {
    // A tree may complete outside any scheduling round (a sink acking after an async commit).
    if (this.pending-- === this.#host.config.maxSpoutPending) this.#host.wake();
    if (++this.#untimed >= TIMED_EVERY && this.#host.config.metricsTiming) {
      this.#untimed = 0;
      this.#metrics.completeLatency.observe(Math.max(0, this.#host.now - startedAt) / 1000);
    }
    this.#callAck(msgId);
  }

  rootFailed(_task: number, msgId: unknown, reason: FailReason): void {
    this.pending--;
    this.#metrics.failed[reason.kind].value++;
    try {
      this.spout.fail?.(msgId, reason);
    } catch (error) {
      this.reportError(error);
    }
    this.#host.wake();
  }

  #callAck(msgId: unknown): void {
    this.#metrics.acked.value++;
    try {
      this.spout.ack?.(msgId);
    } catch (error) {
      this.reportError(error);
    }
  }

  ackedCount(): number {
    return this.#metrics.acked.value;
  }

  failedCount(): number {
    const f = this.#metrics.failed;
    return f.error.value + f.explicit.value + f.timeout.value;
  }

  /** Accounts throttled time for this task. */
  throttled(reason: ThrottleReason, ms: number): void {
    (reason === 'pending' ? this.#metrics.throttledPending : this.#metrics.throttledBackpressure).value += ms / 1000;
  }
}

export class SpoutExecutor implements Throttleable {
  readonly id: string;
  readonly tasks: readonly SpoutTask[];
  readonly #host: ExecutorHost;
  blockedBy = 0;
  active = false;
  busy = false;
  idleUntil = 0;
  #backoffMs = 0;
  #lastStep = 0;

  constructor(id: string, tasks: readonly SpoutTask[], host: ExecutorHost) {
    this.id = id;
    this.tasks = tasks;
    this.#host = host;
  }

  /** Polls the spout tasks once. Returns true when anything was emitted. */
  step(now: number): boolean {
    const elapsed = this.#lastStep === 0 ? 0 : now - this.#lastStep;
    this.#lastStep = now;
    if (!this.active || this.busy) return false;
    // Acks and drains mostly land between two steps, so the time since the last step counts as
    // throttled when the task was held back as that step ended, or still is now.
    for (const task of this.tasks) {
      const reason = this.#heldBy(task) ?? task.heldBy;
      if (reason !== null) task.throttled(reason, elapsed);
    }
    if (this.blockedBy > 0) {
      for (const task of this.tasks) task.heldBy = 'backpressure';
      return false;
    }
    if (now < this.idleUntil) return false;
    const { acking, maxSpoutPending, batchSize } = this.#host.config;
    let progressed = false;
    let asked = false;
    for (const task of this.tasks) {
      if (acking && task.pending >= maxSpoutPending) {
        task.heldBy = 'pending';
        continue;
      }
      asked = true;
      const start = task.emitted;
      while (task.emitted - start < batchSize) {
        const before = task.emitted;
        let result: unknown;
        try {
          result = task.spout.nextTuple();
        } catch (error) {
          task.reportError(error);
          break;
        }
        if (isPromiseLike(result)) {
          this.busy = true;
          result.then(
            () => this.#settled(task, before),
            (error: unknown) => {
              task.reportError(error);
              this.#settled(task, before);
            },
          );
          return true;
        }
        if (task.emitted === before || this.blockedBy > 0 || (acking && task.pending >= maxSpoutPending)) break;
      }
      task.heldBy = this.#heldBy(task);
      if (task.emitted > start) progressed = true;
    }
    // A spout held back only by maxSpoutPending was not asked: its next ack wakes it, no backoff.
    if (asked) this.#backoff(now, progressed);
    return progressed;
  }

  #heldBy(task: SpoutTask): ThrottleReason | null {
    if (this.blockedBy > 0) return 'backpressure';
    const { acking, maxSpoutPending } = this.#host.config;
    return acking && task.pending >= maxSpoutPending ? 'pending' : null;
  }

  #settled(task: SpoutTask, before: number): void {
    this.busy = false;
    task.heldBy = this.#heldBy(task);
    this.#backoff(this.#host.now, task.emitted > before);
    this.#host.wake();
  }

  #backoff(now: number, progressed: boolean): void {
    if (progressed) {
      this.#backoffMs = 0;
      return;
    }
    this.#backoffMs = Math.min(Math.max(1, this.#backoffMs * 2), this.#host.config.spoutIdleMaxMs);
    this.idleUntil = now + this.#backoffMs;
  }

  /** True when every task's spout has reached its end and has no replay waiting. */
  exhausted(): boolean {
    return this.tasks.every((t) => t.spout.exhausted?.() === true);
  }

  pending(): number {
    let n = 0;
    for (const t of this.tasks) n += t.pending;
    return n;
  }
}
