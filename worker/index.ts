/**
 * Squall workers: what runs assigned executors in a process, and what it exposes.
 *
 * @example
 * ```ts
 * const bridge = new PrometheusBridge();
 * bridge.add(runtime.metrics);
 * const url = await new MetricsServer(bridge).listen({ port: 9464 });
 *
 * const pool = new ThreadPool<Batch, Uint8Array>({ module: new URL('./encode-thread.ts', import.meta.url), threads: 2 });
 * const bytes = await pool.run(batch);
 * await pool.close();
 * ```
 */
export { PrometheusBridge } from './metrics/prometheus-bridge.js';
export { MetricsServer } from './metrics/metrics-server.js';
export type { MetricsServerOptions } from './metrics/metrics-server.js';
export { ThreadPool, ThreadPoolErrorCodes, THREAD_POOL_DEFAULTS, MAX_THREADS, compileThreadPoolOptions, transferResult, threadData } from './thread-pool.js';
export type { ThreadPoolOptions, CompiledThreadPoolOptions } from './thread-pool.js';
