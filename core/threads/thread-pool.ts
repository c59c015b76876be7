/**
 * A pool of worker threads that run one module's task handler: a small, generic wrapper over
 * Piscina for CPU-bound work (refining webrequests, encoding Avro) that should not hold the
 * worker's main thread.
 *
 * The task module's default export handles one task. It runs in every thread, so it may keep
 * per-thread state (caches, an open database) at module level. It may be TypeScript: each
 * thread registers tsx for a `.ts` module (see thread-entry.mjs), under `nimbus` and
 * `node --import tsx` alike. That costs a thread about half a second when it starts.
 *
 * Tasks and results cross threads by structured clone. Hand buffers over without copying them:
 * pass `transferList` to {@link ThreadPool.run}, and return {@link transferResult} from the task.
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
 * It lives in core, beside the engine, so that any bolt (bolts may import only core) can give
 * its CPU-bound work to threads: the webrequest refine stage and the HDFS sink's encoder do.
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
   * The task module, as a `file:` URL or an absolute path. Its default export is the handler:
   * `(task) => result`, or a promise of the result. It should finish its asynchronous work before
   * it returns: an idle thread blocks until its next task. TypeScript modules are fine.
   */
  readonly module: string | URL;
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
  readonly moduleUrl: string;
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
  let moduleUrl: string;
  if (options.module instanceof URL) moduleUrl = options.module.href;
  else if (options.module.startsWith('file:')) moduleUrl = options.module;
  else if (isAbsolute(options.module)) moduleUrl = pathToFileURL(options.module).href;
  else throw invalid(`module '${options.module}' is relative: pass new URL('./your-thread.ts', import.meta.url) or an absolute path`);
  return { moduleUrl, threads, data: options.data, closeTimeoutMs, name, onError: options.onError ?? (() => {}) };
}

const ENTRY = new URL('./thread-entry.mjs', import.meta.url).href;

/** Runs tasks of type `In` in worker threads, resolving with results of type `Out`. */
export class ThreadPool<In, Out> {
  readonly options: CompiledThreadPoolOptions;
  readonly #piscina: Piscina;
  #pending = 0;
  #closing: Promise<void> | undefined;

  constructor(options: ThreadPoolOptions) {
    this.options = compileThreadPoolOptions(options);
    const { moduleUrl, threads, data, closeTimeoutMs, onError } = this.options;
    this.#piscina = new Piscina({
      filename: ENTRY,
      minThreads: threads,
      maxThreads: threads,
      // Idle threads stay up (a topology's load comes and goes), and Piscina unrefs them, so
      // they do not keep the process alive.
      idleTimeout: Infinity,
      closeTimeout: closeTimeoutMs,
      workerData: { squallThreadPool: { module: moduleUrl }, data },
    });
    // Piscina reports a close timeout and failures outside any task as 'error' events.
    this.#piscina.on('error', (error: unknown) => onError(error instanceof Error ? error : new Error(messageOf(error))));
  }

  /** Threads in the pool. */
  get threads(): number {
    return this.options.threads;
  }

  /** Tasks submitted and not yet settled (queued or running). */
  get pending(): number {
    return this.#pending;
  }

  /** True once {@link close} was called. */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /**
   * Runs one task in a free thread (or after the queued ones). Buffers in `transferList` move to
   * the thread and are unusable here afterwards.
   * @throws SquallError `SQUALL_ERR_THREAD_TASK_FAILED` (the handler threw, or the thread died),
   *   or `SQUALL_ERR_THREAD_POOL_CLOSED`
   */
  async run(task: In, transferList?: readonly TransferListItem[]): Promise<Out> {
    if (this.#closing !== undefined) throw this.#closedError();
    this.#pending++;
    try {
      return (await this.#piscina.run(task, transferList === undefined ? {} : { transferList: transferList as TransferListItem[] })) as Out;
    } catch (error) {
      if (this.#closing !== undefined) throw this.#closedError(error);
      throw new SquallError(ThreadPoolErrorCodes.TASK_FAILED, `a task in thread pool '${this.options.name}' failed: ${messageOf(error)}`, { retriable: true, cause: error });
    } finally {
      this.#pending--;
    }
  }

  /**
   * Stops taking tasks, lets running and queued ones finish until `closeTimeoutMs`, then
   * terminates the threads. Safe to call twice; resolves once every thread has exited.
   */
  close(): Promise<void> {
    this.#closing ??= this.#piscina.close();
    return this.#closing;
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
