// The module every ThreadPool thread starts with (see thread-pool.ts). It loads the pool's task
// module and re-exports its handler. A TypeScript module is loaded through tsx, registered here,
// in the thread: on Node 20 a thread does not inherit the loader `nimbus` registers in code, and
// the ESM half of `--import tsx` does not take effect in threads either.
import { workerData } from 'node:worker_threads';

const { module } = workerData.squallThreadPool;
if (/\.[mc]?ts$/.test(new URL(module).pathname)) {
  const { register } = await import('tsx/esm/api');
  register();
}
const loaded = await import(module);
if (typeof loaded.default !== 'function') {
  throw new TypeError(`thread module ${module} has no default export function: export default function handle(task) { ... }`);
}
export default loaded.default;
