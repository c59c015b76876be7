/**
 * Where the sink's batches are encoded: on the task's own thread, or on a {@link ThreadPool} of
 * worker threads shared by every sink task of the process (one pool per thread count), running
 * `encode-worker.ts`.
 */
import { ThreadPool } from '../../core/index.js';
import { type BatchResult, type BatchTask, encodeBatch } from './batch-encoder.js';

/** Encodes batches. */
export interface BatchRunner {
  /** Threads encoding batches; 0 when they are encoded on the calling thread. */
  readonly threads: number;
  run(task: BatchTask): Promise<BatchResult>;
  /** Gives the runner back; the last user of a pool closes it. */
  release(): Promise<void>;
}

interface SharedPool {
  readonly pool: ThreadPool<BatchTask, BatchResult>;
  users: number;
}

const pools = new Map<number, SharedPool>();

/** Encodes on the calling thread. */
const INLINE: BatchRunner = Object.freeze({
  threads: 0,
  run: (task: BatchTask) => {
    try {
      return Promise.resolve(encodeBatch(task));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  },
  release: () => Promise.resolve(),
});

/** A runner with `threads` encoder threads (0: the calling thread). */
export function batchRunner(threads: number): BatchRunner {
  if (threads <= 0) return INLINE;
  let shared = pools.get(threads);
  if (shared === undefined) {
    const pool = new ThreadPool<BatchTask, BatchResult>({ module: new URL('./encode-worker.ts', import.meta.url), threads, name: 'hdfs-sink-encoder' });
    pools.set(threads, (shared = { pool, users: 0 }));
  }
  shared.users++;
  const current = shared;
  let released = false;
  return {
    threads,
    // The batch's buffer is handed over, not copied: the sink made it for this task alone.
    run: (task) => current.pool.run(task, [task.data.buffer as ArrayBuffer]),
    async release() {
      if (released) return;
      released = true;
      if (--current.users > 0) return;
      pools.delete(threads);
      await current.pool.close();
    },
  };
}
