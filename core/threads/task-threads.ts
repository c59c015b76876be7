/**
 * The threads a bolt task may use: the process's one {@link ThreadPool}, shared by every bolt
 * that declares `threads` (Storm's executors, on Piscina's threads). One pool per worker process
 * and per local run: the engine takes it up when a topology that declares threads starts, with as
 * many threads as the largest declaration, and gives it back when it stops. It lingers for a
 * while after the last topology, so that the next one (a restart, a rebalance) finds its threads
 * started and their code compiled.
 */
import type { TransferListItem } from 'node:worker_threads';
import { SharedResources } from '../shared-resources.js';
import { ThreadPool } from './thread-pool.js';

/** A bolt task's view of the process's threads (`TopologyContext.threads`). */
export interface TaskThreads {
  /** The threads the component declared. */
  readonly threads: number;
  /** This task's work queued or running in the threads. */
  readonly pending: number;
  /**
   * Runs `task` with the default export of `module` in one of the threads. With `pinned`, every
   * pinned task of this bolt task runs on one thread, one at a time, in order: for a handler that
   * keeps the task's state in its thread.
   * @throws SquallError `SQUALL_ERR_THREAD_TASK_FAILED` or `SQUALL_ERR_THREAD_POOL_CLOSED`
   */
  run<In, Out>(module: string | URL, task: In, options?: { readonly transferList?: readonly TransferListItem[]; readonly pinned?: boolean }): Promise<Out>;
}

/** A pool lingers this long after its last topology stopped. Idle threads keep no process alive. */
const LINGER_MS = 30_000;
/** When the pool closes, work still running gets this long before its threads are terminated. */
const CLOSE_TIMEOUT_MS = 2_000;
const POOL = 'process';
const pools = new SharedResources<ThreadPool<unknown, unknown>>({ lingerMs: LINGER_MS });
let reportTo: (error: Error) => void = () => {};

/** The process's pool, taken up by one more runtime, with at least `threads` threads. */
export interface ProcessThreads {
  readonly pool: ThreadPool<unknown, unknown>;
  /** Gives the pool back; the last runtime to do so lets it close (after the linger). */
  release(): Promise<void>;
}

/**
 * Takes up the process's pool, growing it to `threads`. Errors outside any task (a thread that
 * failed while idle) go to `onError` of the runtime that took it up last.
 */
export function acquireProcessThreads(threads: number, onError: (error: Error) => void): ProcessThreads {
  reportTo = onError;
  const pool = pools.acquire(POOL, () => new ThreadPool<unknown, unknown>({ threads, name: 'bolt threads', closeTimeoutMs: CLOSE_TIMEOUT_MS, onError: (error) => reportTo(error) }));
  pool.grow(threads);
  let released = false;
  return {
    pool,
    release: () => {
      if (released) return Promise.resolve();
      released = true;
      return pools.release(POOL);
    },
  };
}

/** A bolt task's {@link TaskThreads} over `pool`; `key` names the task uniquely in the process. */
export function taskThreads(pool: () => ThreadPool<unknown, unknown>, threads: number, key: string): TaskThreads {
  let pending = 0;
  return {
    threads,
    get pending() {
      return pending;
    },
    async run<In, Out>(module: string | URL, task: In, options: { readonly transferList?: readonly TransferListItem[]; readonly pinned?: boolean } = {}): Promise<Out> {
      pending++;
      try {
        return await pool().runIn<In, Out>(module, task, { ...(options.transferList === undefined ? {} : { transferList: options.transferList }), ...(options.pinned === true ? { affinity: key } : {}) });
      } finally {
        pending--;
      }
    },
  };
}
