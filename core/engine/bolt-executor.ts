/**
 * Runs the tasks of one bolt over its inbox, in batches. A task's `execute` never runs
 * concurrently with itself: an asynchronous execute holds the executor until it settles.
 * A throwing execute fails its tuple with the error as the reason; the executor carries on.
 */
import type { Anchors, Bolt, OutputCollector } from '../bolt.js';
import type { TopologyContext } from '../context.js';
import { ErrorCodes, SquallError, messageOf } from '../errors.js';
import type { Counter, Histogram } from '../metrics/registry.js';
import type { FailReason, Tuple } from '../tuple.js';
import { type ExecutorHost, TIMED_EVERY, isPromiseLike } from './host.js';
import type { Inbox, Throttleable } from './inbox.js';
import type { AnchorHook, StreamOut, TaskOutput } from './task-output.js';
import { TupleImpl } from './tuple-impl.js';

export interface BoltTaskMetrics {
  readonly executed: Counter;
  readonly acked: Counter;
  /** Tuples failed, by why: `execute` threw (`error`) or the bolt called `fail` (`explicit`). */
  readonly failed: Readonly<Record<'error' | 'explicit', Counter>>;
  readonly executeSeconds: Counter;
  /** Time in one `execute` (until its promise settled). */
  readonly executeLatency: Histogram;
  /** From the start of `execute` to the ack: the same as execute latency in auto mode. */
  readonly processLatency: Histogram;
}

function asImpl(tuple: Tuple, component: string): TupleImpl {
  if (tuple instanceof TupleImpl) return tuple;
  throw new SquallError(ErrorCodes.INVALID_EMIT, `'${component}' passed a tuple the engine did not create`, { component });
}

export class BoltTask implements OutputCollector, AnchorHook {
  readonly bolt: Bolt;
  readonly context: TopologyContext;
  readonly auto: boolean;
  readonly metrics: BoltTaskMetrics;
  /** The tuple being executed, the default anchor in auto mode. */
  current: TupleImpl | null = null;
  readonly #output: TaskOutput;
  readonly #host: ExecutorHost;
  #anchors: TupleImpl | readonly Tuple[] | null = null;

  constructor(bolt: Bolt, context: TopologyContext, output: TaskOutput, host: ExecutorHost, metrics: BoltTaskMetrics) {
    this.bolt = bolt;
    this.context = context;
    this.auto = (bolt.ackMode ?? 'auto') === 'auto';
    this.#output = output;
    this.#host = host;
    this.metrics = metrics;
  }

  emit(values: unknown[], anchors?: Anchors): void {
    this.#send(this.#output.defaultOut ?? this.#output.stream('default'), -1, values, anchors);
  }

  emitTo(stream: string, values: unknown[], anchors?: Anchors): void {
    this.#send(this.#output.stream(stream), -1, values, anchors);
  }

  emitDirect(taskId: number, stream: string, values: unknown[], anchors?: Anchors): void {
    this.#send(this.#output.stream(stream), taskId, values, anchors);
  }

  #send(out: StreamOut, direct: number, values: unknown[], anchors: Anchors | undefined): void {
    const a = anchors === undefined ? (this.auto ? this.current : null) : anchors;
    this.#anchors = a as TupleImpl | readonly Tuple[] | null;
    const hook = a === null || (Array.isArray(a) && a.length === 0) ? null : this;
    if (direct >= 0) this.#output.sendDirect(out, direct, values, hook);
    else this.#output.send(out, values, hook);
  }

  anchorTuple(tuple: TupleImpl): void {
    const a = this.#anchors;
    if (a instanceof TupleImpl) {
      a.anchor(tuple);
    } else if (a !== null) {
      for (const anchor of a) asImpl(anchor, this.context.componentId).anchor(tuple);
    }
  }

  ack(tuple: Tuple): void {
    const t = asImpl(tuple, this.context.componentId);
    if (t.done) return;
    t.done = true;
    this.metrics.acked.value++;
    if (!this.auto && t.executeStart > 0) this.metrics.processLatency.observe((performance.now() - t.executeStart) / 1000);
    if (t.rootTask < 0) return;
    const route = this.#host.ackRoute;
    route.ack(t.rootTask, t.rootId, t.edgeHi ^ t.ackHi, t.edgeLo ^ t.ackLo);
    const more = t.more;
    if (more !== null) {
      for (let i = 0; i < more.length; i += 4) route.ack(more[i]!, more[i + 1]!, more[i + 2]! ^ t.ackHi, more[i + 3]! ^ t.ackLo);
    }
  }

  fail(tuple: Tuple, reason?: string | Error): void {
    const isError = reason instanceof Error;
    this.#fail(asImpl(tuple, this.context.componentId), {
      kind: isError ? 'error' : 'explicit',
      component: this.context.componentId,
      task: this.context.taskId,
      message: reason === undefined ? `failed by '${this.context.componentId}'` : messageOf(reason),
      ...(isError && typeof (reason as { code?: unknown }).code === 'string' ? { code: (reason as unknown as { code: string }).code } : {}),
    });
  }

  #fail(t: TupleImpl, reason: FailReason): void {
    if (t.done) return;
    t.done = true;
    this.metrics.failed[reason.kind === 'error' ? 'error' : 'explicit'].value++;
    if (t.rootTask < 0) return;
    const route = this.#host.ackRoute;
    route.fail(t.rootTask, t.rootId, reason);
    const more = t.more;
    if (more !== null) for (let i = 0; i < more.length; i += 4) route.fail(more[i]!, more[i + 1]!, reason);
  }

  release(tuple: Tuple): void {
    asImpl(tuple, this.context.componentId).release();
  }

  reportError(error: unknown): void {
    this.#host.reportError(this.context.componentId, this.context.taskId, error);
  }

  reportFatalError(error: unknown): void {
    this.#host.reportFatalError(this.context.componentId, this.context.taskId, error);
  }

  holdInput(cause: Error | undefined): void {
    this.#host.holdInput(this.context.componentId, this.context.taskId, cause);
  }

  emittedCount(): number {
    return this.#output.emittedTotal();
  }

  /** Records how long a timed execute took, from `started` (performance.now()) to now. */
  timed(started: number): void {
    const seconds = (performance.now() - started) / 1000;
    this.metrics.executeLatency.observe(seconds);
    if (this.auto) this.metrics.processLatency.observe(seconds);
  }

  /** After execute returned: ack in auto mode. */
  finished(t: TupleImpl): void {
    this.current = null;
    if (this.auto && !t.schema.isTick) this.ack(t);
  }

  /** After execute threw: fail the tuple with the error, and record it. */
  threw(t: TupleImpl, error: unknown): void {
    this.current = null;
    this.reportError(error);
    if (t.schema.isTick) return;
    this.#fail(t, {
      kind: 'error',
      component: this.context.componentId,
      task: this.context.taskId,
      message: messageOf(error),
      ...(typeof (error as { code?: unknown })?.code === 'string' ? { code: (error as { code: string }).code } : {}),
    });
  }
}

export class BoltExecutor implements Throttleable {
  readonly id: string;
  readonly inbox: Inbox;
  readonly tasks: readonly BoltTask[];
  readonly #first: number;
  readonly #host: ExecutorHost;
  blockedBy = 0;
  busy = false;
  /** Executes since the last timed one. */
  #untimed = 0;

  constructor(id: string, inbox: Inbox, tasks: readonly BoltTask[], host: ExecutorHost) {
    this.id = id;
    this.inbox = inbox;
    this.tasks = tasks;
    this.#first = tasks[0]!.context.taskId;
    this.#host = host;
  }

  /** Executes up to one batch from the inbox. Returns true when it executed anything. */
  step(): boolean {
    if (this.busy || this.blockedBy > 0 || this.inbox.size === 0) return false;
    const started = performance.now();
    let budget = this.#host.config.batchSize;
    let executed = 0;
    let task: BoltTask | undefined;
    const timing = this.#host.config.metricsTiming;
    while (budget-- > 0 && this.blockedBy === 0) {
      const t = this.inbox.shift();
      if (t === undefined) break;
      task = this.tasks[t.destTask - this.#first]!;
      executed++;
      // A clock read costs about as much as a small execute: one execute in TIMED_EVERY is timed.
      if (timing && ++this.#untimed >= TIMED_EVERY) {
        this.#untimed = 0;
        const start = (t.executeStart = performance.now());
        if (this.#run(task, t)) break;
        task.timed(start);
      } else if (this.#run(task, t)) break;
    }
    if (task !== undefined) {
      // Busy time is spread evenly: exact per task only for single-task executors.
      const seconds = (performance.now() - started) / 1000 / this.tasks.length;
      for (const tk of this.tasks) tk.metrics.executeSeconds.value += seconds;
    }
    return executed > 0;
  }

  /** Runs one execute. Returns true when it went asynchronous. */
  #run(task: BoltTask, t: TupleImpl): boolean {
    task.current = t;
    task.metrics.executed.value++;
    let result: unknown;
    try {
      result = task.bolt.execute(t);
    } catch (error) {
      task.threw(t, error);
      return false;
    }
    if (isPromiseLike(result)) {
      this.busy = true;
      result.then(
        () => {
          if (t.executeStart > 0) task.timed(t.executeStart);
          task.finished(t);
          this.busy = false;
          this.#host.wake();
        },
        (error: unknown) => {
          if (t.executeStart > 0) task.timed(t.executeStart);
          task.threw(t, error);
          this.busy = false;
          this.#host.wake();
        },
      );
      return true;
    }
    task.finished(t);
    return false;
  }
}
