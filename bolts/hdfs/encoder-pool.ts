/**
 * Where the sink's batches are encoded: on the task's own thread, or on a Piscina pool of worker
 * threads shared by every sink task of the process (one pool per thread count). The threads run
 * `encode-worker.ts` from source, through tsx, whether the process was started with
 * `node --import tsx` or by `nimbus` (which registers tsx in code, something threads do not
 * inherit).
 */
import { Piscina } from 'piscina';
import { type BatchResult, type BatchTask, encodeBatch } from './batch-encoder.js';

/** Encodes batches. */
export interface BatchRunner {
  /** Threads encoding batches; 0 when they are encoded on the calling thread. */
  readonly threads: number;
  run(task: BatchTask): Promise<BatchResult>;
  /** Gives the runner back; the last user of a pool destroys it. */
  release(): Promise<void>;
}

const WORKER = new URL('./encode-worker.ts', import.meta.url).href;

/**
 * The process's options, with tsx's loader added when the process registered it in code. The
 * loader is named by its absolute URL: `--import tsx` would be resolved from the working
 * directory, which may be any directory.
 */
function workerExecArgv(): string[] {
  const args = process.execArgv;
  const hasTsx = args.some((a, i) => /(^|[=/])tsx\b/.test(a) && (a.startsWith('--import') || args[i - 1] === '--import' || a.startsWith('--loader') || args[i - 1] === '--loader'));
  return hasTsx ? [...args] : [...args, '--import', import.meta.resolve('tsx')];
}

interface SharedPool {
  readonly pool: Piscina<BatchTask, BatchResult>;
  users: number;
}

const pools = new Map<number, SharedPool>();

/** Encodes on the calling thread. */
const INLINE: BatchRunner = Object.freeze({
  threads: 0,
  run: (task: BatchTask) => Promise.resolve(encodeBatch(task)),
  release: () => Promise.resolve(),
});

/** A runner with `threads` encoder threads (0: the calling thread). */
export function batchRunner(threads: number): BatchRunner {
  if (threads <= 0) return INLINE;
  let shared = pools.get(threads);
  if (shared === undefined) {
    const pool = new Piscina<BatchTask, BatchResult>({ filename: WORKER, minThreads: threads, maxThreads: threads, idleTimeout: 60_000, execArgv: workerExecArgv() });
    pools.set(threads, (shared = { pool, users: 0 }));
  }
  shared.users++;
  const current = shared;
  let released = false;
  return {
    threads,
    // The batch's buffer is handed over, not copied: the sink made it for this task alone.
    run: (task) => current.pool.run(task, { transferList: [task.data.buffer as ArrayBuffer] }),
    async release() {
      if (released) return;
      released = true;
      if (--current.users > 0) return;
      pools.delete(threads);
      await current.pool.destroy();
    },
  };
}
