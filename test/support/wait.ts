/**
 * Synchronization for tests without fixed sleeps: poll a condition, or wait for an event, with a
 * deadline and a message that says what was awaited and what was last seen.
 */
import type { EventEmitter } from 'node:events';
import { inspect } from 'node:util';

export interface WaitForOptions {
  /** Give up after this many milliseconds. @default 10000 */
  timeoutMs?: number;
  /** Milliseconds between two checks. @default 50 */
  intervalMs?: number;
  /** What is being waited for, as it should read in the error. @default 'condition' */
  message?: string;
}

/** Thrown when a wait runs out of time; says what was awaited and what was last seen. */
export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
  constructor(
    message: string,
    /** The last value the condition returned, or undefined. */
    readonly lastValue: unknown,
    /** The last error the condition threw, or undefined. */
    readonly lastError: unknown,
  ) {
    super(message, lastError === undefined ? undefined : { cause: lastError });
  }
}

function describe(value: unknown): string {
  return inspect(value, { depth: 3, breakLength: Infinity, maxStringLength: 300 });
}

/**
 * Calls `condition` until it returns (or resolves to) a truthy value, and resolves with that
 * value. A throw or rejection counts as "not yet". Rejects with a {@link WaitTimeoutError} after
 * `timeoutMs`, naming `message`, the last value and the last error seen.
 */
export async function waitFor<T>(condition: () => T | Promise<T>, options: WaitForOptions = {}): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 50;
  const what = options.message ?? 'condition';
  const deadline = Date.now() + timeoutMs;
  let lastValue: unknown;
  let lastError: unknown;
  let attempts = 0;
  for (;;) {
    attempts += 1;
    try {
      const value = await condition();
      if (value) return value as NonNullable<T>;
      lastValue = value;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      const seen = lastError !== undefined ? `last error: ${lastError instanceof Error ? lastError.message : describe(lastError)}` : `last value: ${describe(lastValue)}`;
      throw new WaitTimeoutError(`timed out after ${timeoutMs} ms (${attempts} checks) waiting for ${what}; ${seen}`, lastValue, lastError);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, left)));
  }
}

export interface WaitForEventOptions<Args extends unknown[]> {
  /** Give up after this many milliseconds. @default 10000 */
  timeoutMs?: number;
  /** Only an event whose arguments pass this check counts. */
  filter?: (...args: Args) => boolean;
  /** What is being waited for, as it should read in the error. @default the event name */
  message?: string;
  /**
   * Reject when the emitter emits 'error' first. Turn it off for clients that report transient
   * errors as events while they reconnect by themselves (ioredis). @default true
   */
  rejectOnError?: boolean;
}

/**
 * Resolves with the arguments of the next `name` event emitted by `emitter` (that passes
 * `filter`). Rejects if the emitter emits 'error' first (unless `rejectOnError` is false), or
 * after `timeoutMs`. Listeners are removed either way.
 */
export function waitForEvent<Args extends unknown[] = unknown[]>(
  emitter: EventEmitter,
  name: string | symbol,
  options: WaitForEventOptions<Args> = {},
): Promise<Args> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const what = options.message ?? `event ${String(name)}`;
  const watchErrors = name !== 'error' && options.rejectOnError !== false;
  return new Promise<Args>((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      emitter.off(name, onEvent);
      if (watchErrors) emitter.off('error', onError);
    };
    const onEvent = (...args: unknown[]) => {
      if (options.filter && !options.filter(...(args as Args))) return;
      cleanup();
      resolve(args as Args);
    };
    const onError = (error: unknown) => {
      cleanup();
      const text = error instanceof Error ? error.message : describe(error);
      reject(new Error(`an 'error' event came while waiting for ${what}: ${text}`, { cause: error }));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new WaitTimeoutError(`timed out after ${timeoutMs} ms waiting for ${what}`, undefined, undefined));
    }, timeoutMs);
    emitter.on(name, onEvent);
    if (watchErrors) emitter.on('error', onError);
  });
}
