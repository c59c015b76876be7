/**
 * A bolt whose `execute` runs in the worker's threads: declare `threads: N` on the component and
 * give it a thread module made with {@link threadBolt}. Tuples are batched, each batch runs in a
 * thread, and what the handler emitted comes back and is emitted here anchored to its input
 * tuple, in input order; then each input is acked (or failed, with the handler's reason). With
 * `stateful`, every batch of a task runs on the same thread, one after another, so the handler's
 * state (made by its `init`) is the task's. Without threads (`threads: 0`, or a test's context)
 * the same module runs on the main thread.
 *
 * Values cross threads by structured clone: plain data, typed arrays and buffers, not class
 * instances.
 *
 * @example
 * ```ts
 * .bolt('upper', {
 *   threads: 2,
 *   create: () => new ThreadedBolt({ module: new URL('./upper-thread.ts', import.meta.url) }),
 *   inputs: [{ from: 'words', grouping: shuffle() }],
 *   outputs: { default: ['word'] },
 * })
 * ```
 */
import type { Bolt, OutputCollector } from '../bolt.js';
import type { TopologyContext } from '../context.js';
import { ErrorCodes, SquallError, messageOf } from '../errors.js';
import type { Tuple } from '../tuple.js';
import { InOrder, type Outcome } from './in-order.js';
import type { TaskThreads } from './task-threads.js';
import type { ThreadBatch, ThreadBatchResult, ThreadTaskInfo } from './thread-bolt.js';
import { moduleUrlOf } from './thread-pool.js';

/** Options of a {@link ThreadedBolt}. */
export interface ThreadedBoltOptions {
  /** The thread module: its default export is `threadBolt({ execute })`. A `file:` URL or an absolute path. */
  readonly module: string | URL;
  /** Tuples per batch; a batch also leaves when the inbox runs dry. @default 256 */
  readonly batchSize?: number;
  /** Batches in the threads at once before `execute` waits (backpressure). @default 2 × threads + 2 */
  readonly maxBatchesInFlight?: number;
  /** Run every batch of a task on one thread, in order, so that the handler's state is the task's. @default false */
  readonly stateful?: boolean;
}

type Run = (batch: ThreadBatch) => Promise<ThreadBatchResult>;

export class ThreadedBolt implements Bolt {
  readonly ackMode = 'manual' as const;
  readonly #module: string;
  readonly #batchSize: number;
  readonly #options: ThreadedBoltOptions;
  #maxInFlight = 2;
  #collector!: OutputCollector;
  #task!: ThreadTaskInfo;
  #key = '';
  #run!: Run;
  #open: Tuple[] = [];
  #dispatchQueued = false;
  readonly #inOrder = new InOrder<readonly Tuple[], ThreadBatchResult>((tuples, outcome) => this.#deliver(tuples, outcome));

  constructor(options: ThreadedBoltOptions) {
    this.#module = moduleUrlOf(options.module, 'threaded bolt');
    const batchSize = options.batchSize ?? 256;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new SquallError(ErrorCodes.INVALID_CONFIG, `threaded bolt: batchSize is ${String(batchSize)}: use a whole number of tuples, such as 256`);
    this.#batchSize = batchSize;
    this.#options = options;
  }

  async prepare(context: TopologyContext, collector: OutputCollector): Promise<void> {
    this.#collector = collector;
    this.#task = { componentId: context.componentId, taskId: context.taskId, config: context.config };
    this.#key = `${context.topologyName}/${context.componentId}/${context.taskId}/${Math.random().toString(36).slice(2)}`;
    const threads: TaskThreads | undefined = context.threads;
    this.#maxInFlight = this.#options.maxBatchesInFlight ?? 2 * (threads?.threads ?? 0) + 2;
    if (threads !== undefined) {
      const pinned = this.#options.stateful === true;
      this.#run = (batch) => threads.run<ThreadBatch, ThreadBatchResult>(this.#module, batch, { pinned });
      return;
    }
    const loaded = (await import(this.#module)) as { default?: unknown };
    if (typeof loaded.default !== 'function') throw new TypeError(`thread module ${this.#module} has no default export function: export default threadBolt({ execute(tuple, out) { ... } })`);
    const handle = loaded.default as (batch: ThreadBatch) => ThreadBatchResult;
    this.#run = (batch) => Promise.resolve().then(() => handle(batch));
  }

  execute(tuple: Tuple): void | Promise<void> {
    if (tuple.isTick()) return;
    // A batch carries one field list: a tuple of another input stream starts the next batch.
    if (this.#open.length > 0 && this.#open[0]!.fields !== tuple.fields) this.#dispatch();
    this.#open.push(tuple);
    if (this.#open.length >= this.#batchSize) this.#dispatch();
    else if (!this.#dispatchQueued) {
      // Send what there is once this round of the scheduler is over.
      this.#dispatchQueued = true;
      setImmediate(() => this.#dispatch());
    }
    if (this.#inOrder.size >= this.#maxInFlight) return this.#inOrder.below(this.#maxInFlight);
  }

  /** Sends the open batch and waits until every batch is emitted. */
  flush(): Promise<void> {
    this.#dispatch();
    return this.#inOrder.drained();
  }

  #dispatch(): void {
    this.#dispatchQueued = false;
    const tuples = this.#open;
    if (tuples.length === 0) return;
    this.#open = [];
    const batch: ThreadBatch = { key: this.#key, task: this.#task, fields: tuples[0]!.fields, rows: tuples.map((t) => t.values) };
    this.#inOrder.add(tuples, this.#run(batch));
  }

  #deliver(tuples: readonly Tuple[], outcome: Outcome<ThreadBatchResult>): void {
    const c = this.#collector;
    if (!outcome.ok) {
      const reason = messageOf(outcome.error);
      for (const tuple of tuples) c.fail(tuple, reason);
      return;
    }
    const { emits, failed } = outcome.value;
    for (let i = 0; i < emits.length; i += 3) c.emitTo(emits[i + 1] as string, emits[i + 2] as unknown[], tuples[emits[i] as number]!);
    const failedRows = new Set<number>();
    for (const [row, reason] of failed) {
      if (failedRows.has(row)) continue;
      failedRows.add(row);
      c.fail(tuples[row]!, reason);
    }
    for (let row = 0; row < tuples.length; row++) if (!failedRows.has(row)) c.ack(tuples[row]!);
  }
}
