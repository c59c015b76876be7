/**
 * A pool of worker threads for CPU-bound work (refining webrequests, encoding Avro, a bolt that
 * declares `threads`) that should not hold the main thread: a small, generic wrapper over Piscina.
 *
 * Each task names the module that handles it ({@link ThreadPool.runIn}), or runs the pool's own
 * `module` ({@link ThreadPool.run}). A module's default export handles one task; it is loaded in a
 * thread on that thread's first task of it, and may keep per-thread state (caches, an open
 * database) at module level. It may be TypeScript: a thread registers tsx for a `.ts` module (see
 * task-entry.mjs), under `nimbus` and `node --import tsx` alike; that costs a thread about half a
 * second the first time.
 *
 * Every thread is a lane of its own (a one-thread Piscina), so that work which keeps state can
 * stay on one thread: tasks with the same `affinity` run on the same thread, one after another, in
 * the order they were submitted. Other tasks go to the lane with the fewest pending.
 *
 * Tasks and results cross threads by structured clone. Hand buffers over without copying them:
 * pass `transferList`, and return {@link transferResult} from the task.
 *
 * @example
 * ```ts
 * // square-thread.ts
 * export default function square(n: number): number { return n * n; }
 *
 * // the caller
 * const pool = new ThreadPool<number, number>({ module: new URL('./square-thread.ts', import.meta.url), threads: 2 });
 * await pool.run(7); // 49
 * await pool.close();
 * ```
 *
 * It lives in core, beside the engine: the engine gives each worker process one pool, shared by
 * the bolts that declare `threads` (see process-threads.ts), and any bolt (bolts may import only
 * core) can use one.
 *
 * States: running → closing (no new tasks; running ones finish until `closeTimeoutMs`) → closed
 * (threads terminated; tasks still running were rejected with `SQUALL_ERR_THREAD_POOL_CLOSED`).
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type TransferListItem, workerData } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { ErrorCodes, SquallError, messageOf } from '../errors.js';

/** Stable codes of the errors a {@link ThreadPool} raises. */
export const ThreadPoolErrorCodes = Object.freeze({
  /** The task's handler threw, or its thread died while running it. Retriable: run it again. */
  TASK_FAILED: 'SQUALL_ERR_THREAD_TASK_FAILED',
  /** The pool was closed before the task finished, or before it was submitted. */
  CLOSED: 'SQUALL_ERR_THREAD_POOL_CLOSED',
} as const);

/** Options of a {@link ThreadPool}. */
export interface ThreadPoolOptions {
  /**
   * The module of {@link ThreadPool.run}'s tasks, as a `file:` URL or an absolute path. Its
   * default export is the handler: `(task) => result`, or a promise of the result. It should
   * finish its asynchronous work before it returns: an idle thread blocks until its next task.
   * TypeScript modules are fine. @default none: every task names its module (`runIn`)
   */
  readonly module?: string | URL;
  /** Threads, all started at once. @default 1 */
  readonly threads?: number;
  /** Structured-cloneable data every thread reads with {@link threadData}. @default undefined */
  readonly data?: unknown;
  /**
   * How long {@link ThreadPool.close} lets running tasks finish before it terminates the
   * threads, in milliseconds. @default 10000
   */
  readonly closeTimeoutMs?: number;
  /** A label for error messages, such as the component that owns the pool. @default 'thread-pool' */
  readonly name?: string;
  /** Called with errors that belong to no task (a thread that failed while idle). @default ignore */
  readonly onError?: (error: Error) => void;
}

/** The defaults of {@link ThreadPoolOptions}. */
export const THREAD_POOL_DEFAULTS = Object.freeze({
  threads: 1,
  closeTimeoutMs: 10_000,
  name: 'thread-pool',
});

/** The most threads a pool may have; more than cores only adds switching. */
export const MAX_THREADS = 256;

/** {@link ThreadPoolOptions}, validated and complete. */
export interface CompiledThreadPoolOptions {
  readonly moduleUrl: string | undefined;
  readonly threads: number;
  readonly data: unknown;
  readonly closeTimeoutMs: number;
  readonly name: string;
  readonly onError: (error: Error) => void;
}

/** Merge the options over the defaults and validate them. */
export function compileThreadPoolOptions(options: ThreadPoolOptions): CompiledThreadPoolOptions {
  const name = options.name ?? THREAD_POOL_DEFAULTS.name;
  const invalid = (message: string) => new SquallError(ErrorCodes.INVALID_CONFIG, `thread pool '${name}': ${message}`);
  const threads = options.threads ?? THREAD_POOL_DEFAULTS.threads;
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw invalid(`threads is ${String(threads)}: use a whole number from 1 to ${MAX_THREADS}, usually the cores left beside the main thread`);
  }
  const closeTimeoutMs = options.closeTimeoutMs ?? THREAD_POOL_DEFAULTS.closeTimeoutMs;
  if (!Number.isFinite(closeTimeoutMs) || closeTimeoutMs < 0) {
    throw invalid(`closeTimeoutMs is ${String(closeTimeoutMs)}: use a number of milliseconds, 0 or more, such as 10000`);
  }
  const moduleUrl = options.module === undefined ? undefined : moduleUrlOf(options.module, name);
  return { moduleUrl, threads, data: options.data, closeTimeoutMs, name, onError: options.onError ?? (() => {}) };
}

/** A task module as a `file:` URL; refuses a relative path, which would resolve against no one knows what. */
export function moduleUrlOf(module: string | URL, name: string = THREAD_POOL_DEFAULTS.name): string {
  if (module instanceof URL) return module.href;
  if (module.startsWith('file:')) return module;
  if (isAbsolute(module)) return pathToFileURL(module).href;
  throw new SquallError(ErrorCodes.INVALID_CONFIG, `thread pool '${name}': module '${module}' is relative: pass new URL('./your-thread.ts', import.meta.url) or an absolute path`);
}

const ENTRY = new URL('./task-entry.mjs', import.meta.url).href;

/** What {@link ThreadPool.runIn} is told besides the task. */
export interface RunOptions {
  /** Buffers that move to the thread instead of being copied; unusable here afterwards. */
  readonly transferList?: readonly TransferListItem[];
  /**
   * Tasks with the same affinity run on the same thread, in the order they were submitted: work
   * that keeps state in its thread (a bolt task's window) gives its task id. @default any thread
   */
  readonly affinity?: string;
}

/** One thread, with its own queue. */
interface Lane {
  readonly piscina: Piscina;
  pending: number;
  /** Affinities that run here. */
  affine: number;
}

/** The thread of one affinity, and its last task: the next one starts once that one has settled. */
interface Affinity {
  readonly lane: Lane;
  tail: Promise<unknown>;
}

/** Runs tasks of type `In` in worker threads, resolving with results of type `Out`. */
export class ThreadPool<In, Out> {
  readonly options: CompiledThreadPoolOptions;
  readonly #lanes: Lane[] = [];
  readonly #affinities = new Map<string, Affinity>();
  #pending = 0;
  #closing: Promise<void> | undefined;

  constructor(options: ThreadPoolOptions) {
    this.options = compileThreadPoolOptions(options);
    this.grow(this.options.threads);
  }

  /** Threads in the pool. */
  get threads(): number {
    return this.#lanes.length;
  }

  /** Tasks submitted and not yet settled (queued or running). */
  get pending(): number {
    return this.#pending;
  }

  /** True once {@link close} was called. */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /** Adds threads up to `threads` (never removes any: work may have affinity to them). */
  grow(threads: number): void {
    const { data, closeTimeoutMs, onError } = this.options;
    while (this.#lanes.length < Math.min(threads, MAX_THREADS)) {
      // Idle threads stay up (a topology's load comes and goes), and Piscina unrefs them, so
      // they do not keep the process alive.
      const piscina = new Piscina({ filename: ENTRY, minThreads: 1, maxThreads: 1, idleTimeout: Infinity, closeTimeout: closeTimeoutMs, workerData: { data } });
      // Piscina reports a close timeout and failures outside any task as 'error' events.
      piscina.on('error', (error: unknown) => onError(error instanceof Error ? error : new Error(messageOf(error))));
      this.#lanes.push({ piscina, pending: 0, affine: 0 });
    }
  }

  /**
   * Runs one task of the pool's `module` in a free thread (or after the queued ones). Buffers in
   * `transferList` move to the thread and are unusable here afterwards.
   * @throws SquallError `SQUALL_ERR_THREAD_TASK_FAILED` (the handler threw, or the thread died),
   *   or `SQUALL_ERR_THREAD_POOL_CLOSED`
   */
  run(task: In, transferList?: readonly TransferListItem[]): Promise<Out> {
    const module = this.options.moduleUrl;
    if (module === undefined) return Promise.reject(new SquallError(ErrorCodes.INVALID_CONFIG, `thread pool '${this.options.name}' has no module of its own: name one with runIn(module, task)`));
    return this.runIn<In, Out>(module, task, transferList === undefined ? {} : { transferList });
  }

  /** Runs one task of `module` (see {@link run}), on the thread of its affinity if it has one. */
  async runIn<I = In, O = Out>(module: string | URL, task: I, options: RunOptions = {}): Promise<O> {
    if (this.#closing !== undefined) throw this.#closedError();
    const run = { module: moduleUrlOf(module, this.options.name), task };
    const transfer = options.transferList === undefined ? {} : { transferList: options.transferList as TransferListItem[] };
    if (options.affinity === undefined) return this.#runOn(this.#leastPending(), run, transfer);
    // Piscina does not promise to start a thread's queued tasks in order: one affinity's tasks
    // go one at a time.
    const affinity = this.#affinityOf(options.affinity);
    const result = affinity.tail.then(() => this.#runOn<O>(affinity.lane, run, transfer));
    affinity.tail = result.catch(() => {});
    return result;
  }

  async #runOn<O>(lane: Lane, run: { module: string; task: unknown }, transfer: { transferList?: TransferListItem[] }): Promise<O> {
    if (this.#closing !== undefined) throw this.#closedError();
    this.#pending++;
    lane.pending++;
    try {
      return (await lane.piscina.run(run, transfer)) as O;
    } catch (error) {
      if (this.#closing !== undefined) throw this.#closedError(error);
      throw new SquallError(ThreadPoolErrorCodes.TASK_FAILED, `a task in thread pool '${this.options.name}' failed: ${messageOf(error)}`, { retriable: true, cause: error });
    } finally {
      this.#pending--;
      lane.pending--;
    }
  }

  /** Forgets an affinity whose work is over (its task stopped), so its thread can take another. */
  endAffinity(key: string): void {
    const affinity = this.#affinities.get(key);
    if (affinity === undefined) return;
    this.#affinities.delete(key);
    affinity.lane.affine--;
  }

  /**
   * Stops taking tasks, lets running and queued ones finish until `closeTimeoutMs`, then
   * terminates the threads. Safe to call twice; resolves once every thread has exited.
   */
  close(): Promise<void> {
    this.#closing ??= Promise.all(this.#lanes.map((l) => l.piscina.close())).then(() => {});
    return this.#closing;
  }

  #leastPending(): Lane {
    return this.#lanes.reduce((best, lane) => (lane.pending < best.pending ? lane : best));
  }

  /** The affinity's thread: on first use, the one with the fewest affinities. */
  #affinityOf(key: string): Affinity {
    let affinity = this.#affinities.get(key);
    if (affinity === undefined) {
      const lane = this.#lanes.reduce((best, l) => (l.affine < best.affine ? l : best));
      lane.affine++;
      this.#affinities.set(key, (affinity = { lane, tail: Promise.resolve() }));
    }
    return affinity;
  }

  #closedError(cause?: unknown): SquallError {
    return new SquallError(ThreadPoolErrorCodes.CLOSED, `thread pool '${this.options.name}' is closed`, cause === undefined ? {} : { cause });
  }
}

/**
 * In a task module: hands `value` back to the caller, moving the buffers in `transferList`
 * instead of copying them. The thread must not touch them afterwards.
 *
 * @example
 * ```ts
 * export default function encode(batch: Batch) {
 *   const bytes = encodeBatch(batch); // a Uint8Array that owns its ArrayBuffer
 *   return transferResult({ bytes, count: batch.length }, [bytes.buffer]);
 * }
 * ```
 */
export function transferResult<T>(value: T, transferList: readonly TransferListItem[]): T {
  const movable = {
    get [Piscina.transferableSymbol]() {
      return transferList;
    },
    get [Piscina.valueSymbol]() {
      return value;
    },
  };
  return Piscina.move(movable as never) as T;
}

/** In a task module: the `data` of the pool's options. */
export function threadData<T = unknown>(): T {
  return (workerData as { data?: T } | null)?.data as T;
}
