/** Calls a component's lifecycle hook, with a deadline, turning a throw into a clear error. */
import type { TopologyContext } from '../context.js';
import { ErrorCodes, SquallError, messageOf } from '../errors.js';
import type { SpoutExecutor } from './spout-executor.js';

/**
 * Runs `hook` and awaits its promise. With a `deadline` (performance.now() time) a hook that
 * has not settled by then is abandoned with an error, so shutdown can never hang on it.
 */
export async function runHook(context: TopologyContext, name: string, hook: () => unknown, deadline?: number): Promise<void> {
  const fail = (error: unknown) =>
    new SquallError(ErrorCodes.COMPONENT_LIFECYCLE, `${name} of '${context.componentId}' task ${context.taskId} failed: ${messageOf(error)}`, {
      component: context.componentId,
      cause: error,
    });
  let result: unknown;
  try {
    result = hook();
  } catch (error) {
    throw fail(error);
  }
  if (result === undefined || result === null || typeof (result as { then?: unknown }).then !== 'function') return;
  let timer: NodeJS.Timeout | undefined;
  const timeout =
    deadline === undefined
      ? new Promise<never>(() => {})
      : new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`did not finish by the shutdown deadline`)), Math.max(0, deadline - performance.now()));
        });
  try {
    await Promise.race([result as Promise<unknown>, timeout]);
  } catch (error) {
    throw fail(error);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/**
 * Activates or deactivates spouts: calls each task's `activate` or `deactivate` hook, and lets
 * the scheduler call `nextTuple` again or stop calling it. A hook that fails throws, unless
 * `onError` takes it (then the other hooks still run).
 */
export async function setSpoutsActive(spouts: readonly SpoutExecutor[], active: boolean, options: { deadline?: number; onError?: (error: unknown) => void } = {}): Promise<void> {
  for (const s of spouts) {
    if (!active) s.active = false;
    for (const t of s.tasks) {
      const run = runHook(t.context, active ? 'activate' : 'deactivate', () => (active ? t.spout.activate?.() : t.spout.deactivate?.()), options.deadline);
      await (options.onError === undefined ? run : run.catch(options.onError));
    }
    if (active) s.active = true;
  }
}
