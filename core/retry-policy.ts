/**
 * Retries with exponential backoff and a bounded number of attempts: calls to a remote
 * filesystem (WebHDFS), and writers waiting for storage to take writes again (`StorageHold`).
 * Only errors the caller classifies as retriable are retried.
 */
import { ErrorCodes, SquallError } from './errors.js';

const invalid = (message: string) => new SquallError(ErrorCodes.INVALID_CONFIG, message);

/** How often and how patiently to retry. */
export interface RetryOptions {
  /** Attempts in all, the first included. @default 8 */
  readonly maxAttempts?: number;
  /** Wait before the second attempt, in ms. @default 100 */
  readonly initialDelayMs?: number;
  /** Longest wait between two attempts, in ms. @default 5000 */
  readonly maxDelayMs?: number;
  /** Each wait is this many times the one before. @default 2 */
  readonly factor?: number;
}

/** The filled-in form of {@link RetryOptions}. */
export type RetryPolicy = Readonly<Required<RetryOptions>>;

/** The defaults, documented on {@link RetryOptions}. About 11 s of waiting in all. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({ maxAttempts: 8, initialDelayMs: 100, maxDelayMs: 5000, factor: 2 });

/** Merges `options` over the defaults and validates the result. */
export function compileRetryPolicy(options: RetryOptions = {}): RetryPolicy {
  const p = { ...DEFAULT_RETRY_POLICY, ...options };
  if (!Number.isInteger(p.maxAttempts) || p.maxAttempts < 1) {
    throw invalid(`retry.maxAttempts is ${p.maxAttempts}: use a whole number, 1 or more`);
  }
  if (!(p.initialDelayMs >= 0) || !(p.maxDelayMs >= p.initialDelayMs)) {
    throw invalid(`retry delays ${p.initialDelayMs}..${p.maxDelayMs} ms: use 0 <= initialDelayMs <= maxDelayMs`);
  }
  if (!(p.factor >= 1)) throw invalid(`retry.factor is ${p.factor}: use 1 or more`);
  return Object.freeze(p);
}

/** The wait before attempt `attempt + 1` (attempt counts from 1), with jitter in [d/2, d]. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const d = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** (attempt - 1));
  return d / 2 + (random() * d) / 2;
}

/** Waits `ms`; rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryHooks {
  /** True when the error is worth another attempt. */
  readonly retriable: (error: unknown) => boolean;
  /** Called before each wait, for logs and metrics. */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Aborts the waits (a closing filesystem). */
  readonly signal?: AbortSignal;
}

/**
 * Calls `fn(attempt)` until it resolves, a non-retriable error is thrown, or the attempts run
 * out. The last error is rethrown as is; the caller wraps it with its own code.
 */
export async function withRetries<T>(policy: RetryPolicy, hooks: RetryHooks, fn: (attempt: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= policy.maxAttempts || !hooks.retriable(error) || hooks.signal?.aborted) throw error;
      const delay = backoffDelay(policy, attempt);
      hooks.onRetry?.(error, attempt, delay);
      await sleep(delay, hooks.signal);
    }
  }
}
