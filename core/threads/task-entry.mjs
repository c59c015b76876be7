// The module every thread of the process's pool (process-pool.ts) starts with. Each task names
// the module that handles it; the module is loaded on its first task in this thread and its
// default export handles that task and the next ones. A TypeScript module is loaded through tsx,
// registered here, in the thread, on first need: on Node 20 a thread does not inherit the loader
// `nimbus` registers in code, and the ESM half of `--import tsx` does not take effect in threads.
const handlers = new Map();
let tsxRegistered = false;

async function handlerOf(module) {
  let handler = handlers.get(module);
  if (handler !== undefined) return handler;
  if (!tsxRegistered && /\.[mc]?ts$/.test(new URL(module).pathname)) {
    const { register } = await import('tsx/esm/api');
    register();
    tsxRegistered = true;
  }
  const loaded = await import(module);
  if (typeof loaded.default !== 'function') {
    throw new TypeError(`thread module ${module} has no default export function: export default function handle(task) { ... }`);
  }
  handler = loaded.default;
  handlers.set(module, handler);
  return handler;
}

export default async function runTask({ module, task }) {
  const handler = await handlerOf(module);
  return handler(task);
}
