/**
 * What a writer does when its storage cannot take writes (a `StorageFault`: full, read-only,
 * safe mode, I/O errors): it holds its input instead of failing records into replays, says
 * what is wrong once and then once a minute, retries with backoff, and goes on by itself when
 * a write succeeds again. Past `deadlineMs` it gives up: the task reports a fatal error and the
 * run stops with the reason.
 *
 * States: writing → holding (→ writing again) → failed (past the deadline; for good).
 *
 * @example
 * ```ts
 * const hold = new StorageHold({ collector, logger, deadlineMs: config.storageDeadlineMs, what: `writing ${dir}` });
 * await hold.run(() => fs.create(path, data)); // waits out a full disk, or throws once it gave up
 * ```
 */
import type { OutputCollector } from './bolt.js';
import { DEFAULT_TOPOLOGY_CONFIG } from './config.js';
import type { TopologyContext } from './context.js';
import { SquallError, messageOf } from './errors.js';
import type { Logger } from './logger.js';
import { backoffDelay, compileRetryPolicy, type RetryOptions, type RetryPolicy, sleep } from './retry-policy.js';
import { storageFaultOf } from './storage-fault.js';

export interface StorageHoldOptions {
  /** Where the hold is told and its fatal error reported. */
  readonly collector: Pick<OutputCollector, 'holdInput' | 'reportFatalError' | 'reportError'>;
  readonly logger: Logger;
  /** How long to hold before giving up, in ms (the topology's `storageDeadlineMs`). */
  readonly deadlineMs: number;
  /** What the writer does, for messages: `writing the refined output under /out/webrequest`. */
  readonly what: string;
  /** Waits between retries. @default 250 ms doubling up to 10 s */
  readonly retry?: RetryOptions;
  /** Repeats the warning while holding at most this often, in ms. @default 60000 */
  readonly logEveryMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
  /** Where warnings are rate-limited. @default one for the process */
  readonly warnings?: StorageWarnings;
  /** Ends every wait when it aborts (the topology stops). */
  readonly stopping?: AbortSignal | undefined;
  /**
   * Which errors the hold waits out: returns the fault, or undefined for an error the write
   * should fail with. @default storage faults (`storageFaultOf`)
   */
  readonly faultOf?: (error: unknown) => SquallError | undefined;
  /** The config key of `deadlineMs`, named when the hold gives up. @default 'storageDeadlineMs' */
  readonly deadlineKey?: string;
}

/**
 * Says a storage fault once a minute for a whole process, however many writers hold for it: a
 * full disk stops every writer on it, and each saying so would bury the one line that matters.
 */
export class StorageWarnings {
  readonly #lastAt = new Map<string, number>();

  /** True when a warning about `code` is due at `now`: none was said within `everyMs`. */
  due(code: string, now: number, everyMs: number): boolean {
    const last = this.#lastAt.get(code);
    if (last !== undefined && now - last < everyMs && now >= last) return false;
    this.#lastAt.set(code, now);
    return true;
  }
}

const PROCESS_WARNINGS = new StorageWarnings();

const DEFAULT_HOLD_RETRY: RetryOptions = Object.freeze({ initialDelayMs: 250, maxDelayMs: 10_000, factor: 2, maxAttempts: Number.MAX_SAFE_INTEGER });

export type StorageHoldState = 'writing' | 'holding' | 'failed';

export class StorageHold {
  readonly #o: StorageHoldOptions;
  readonly #policy: RetryPolicy;
  readonly #now: () => number;
  readonly #closing = new AbortController();
  #state: StorageHoldState = 'writing';
  #since = 0;
  #attempt = 0;
  #loggedAt = 0;
  #loggedCode = '';
  #failure: SquallError | undefined;
  #probed = false;
  #last: SquallError | undefined;

  constructor(options: StorageHoldOptions) {
    this.#o = options;
    this.#policy = compileRetryPolicy({ ...DEFAULT_HOLD_RETRY, ...options.retry });
    this.#now = options.now ?? Date.now;
    if (options.stopping?.aborted) this.close();
    else options.stopping?.addEventListener('abort', () => this.close(), { once: true });
  }

  /** A hold for a bolt task: its logger, and the topology's `storageDeadlineMs`. */
  static forTask(context: TopologyContext, collector: StorageHoldOptions['collector'], what: string): StorageHold {
    const deadlineMs = Number(context.config.storageDeadlineMs ?? DEFAULT_TOPOLOGY_CONFIG.storageDeadlineMs);
    return new StorageHold({ collector, logger: context.logger, deadlineMs, what, stopping: context.stopping });
  }

  get state(): StorageHoldState {
    return this.#state;
  }

  /** The error the hold gave up with, once past the deadline. */
  get failure(): SquallError | undefined {
    return this.#failure;
  }

  /**
   * A write failed. True when it is a storage fault the writer should hold for (the hold is
   * then on, and said once a minute); false for any other error, and once the hold gave up.
   */
  fault(error: unknown): boolean {
    const fault = (this.#o.faultOf ?? storageFaultOf)(error);
    if (fault === undefined || this.#state === 'failed') return false;
    if (this.#closing.signal.aborted) {
      // The topology is stopping: no waiting any more, the write fails with its fault.
      this.#state = 'failed';
      this.#failure = new SquallError(fault.code, `${this.#o.what}: stopped while the storage could not take writes: ${messageOf(fault)}`, { cause: fault });
      return false;
    }
    this.#probed = false;
    const now = this.#now();
    if (this.#state === 'writing') {
      this.#state = 'holding';
      this.#since = now;
      this.#attempt = 0;
      this.#loggedAt = 0;
      this.#loggedCode = '';
      this.#o.collector.holdInput?.(fault);
    }
    const everyMs = this.#o.logEveryMs ?? 60_000;
    // Said again once a minute, or at once when the fault changed (a broken connection that a probe shows is a quota).
    if (this.#loggedAt === 0 || now - this.#loggedAt >= everyMs || fault.code !== this.#loggedCode) {
      const first = this.#loggedAt === 0;
      this.#loggedAt = now;
      this.#loggedCode = fault.code;
      const left = Math.max(0, Math.round((this.#since + this.#o.deadlineMs - now) / 1000));
      const message = `${first ? 'holding input' : `still holding input after ${Math.round((now - this.#since) / 1000)} s`}: ${this.#o.what}: ${fault.message}`;
      // Said once a minute for the process; other writers holding for the same fault say it at debug level.
      const due = (this.#o.warnings ?? PROCESS_WARNINGS).due(fault.code, now, everyMs);
      this.#o.logger[due ? 'warn' : 'debug'](message, { code: fault.code, stopsInSeconds: left });
    }
    this.#last = fault;
    if (now - this.#since >= this.#o.deadlineMs) this.#giveUp(fault);
    return this.#state === 'holding';
  }

  /** A write succeeded: the hold, if on, is over. */
  cleared(): void {
    if (this.#state !== 'holding') return;
    this.#state = 'writing';
    this.#o.logger.info(`writing again after ${Math.round((this.#now() - this.#since) / 1000)} s: ${this.#o.what}`);
    this.#o.collector.holdInput?.(undefined);
  }

  /** True while the writer should wait before it writes again: holding, and no probe has passed since the last fault. */
  get waiting(): boolean {
    return this.#state === 'holding' && !this.#probed;
  }

  /**
   * While {@link waiting}, waits the next backoff and calls `probe` (a small write): a storage
   * fault waits again; its success lets the writer write again. The hold itself stays on (and
   * its deadline runs) until {@link cleared}, a real write that succeeded: a disk with room for
   * a probe but not for a file does not start the deadline again. Resolves at once when not
   * waiting, and once the hold gave up (the writer's next write then fails as it should).
   */
  async wait(probe: () => Promise<void>): Promise<void> {
    while (this.waiting) {
      await this.#pause();
      if (!this.waiting) return;
      try {
        await probe();
        this.#probed = true;
      } catch (error) {
        if (!this.fault(error)) return;
      }
    }
  }

  /** Runs `op`, waiting out storage faults until it succeeds or the hold gives up (then throws). */
  async run<T>(op: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        const result = await op();
        this.cleared();
        return result;
      } catch (error) {
        if (!this.fault(error)) throw this.#failure ?? error;
        await this.#pause();
      }
    }
  }

  /**
   * Ends any wait in progress, for good (the writer closes, or the topology stops): a write that
   * was waiting fails with the storage fault it waited for, and later ones are tried once.
   */
  close(): void {
    if (this.#closing.signal.aborted) return;
    this.#closing.abort();
    if (this.#state !== 'holding') return;
    this.#state = 'writing';
    this.#o.collector.holdInput?.(undefined);
    this.fault(this.#last);
  }

  async #pause(): Promise<void> {
    const untilDeadline = this.#since + this.#o.deadlineMs - this.#now();
    const delay = Math.max(0, Math.min(backoffDelay(this.#policy, ++this.#attempt), untilDeadline));
    await sleep(delay, this.#closing.signal).catch(() => {});
  }

  #giveUp(fault: SquallError): void {
    this.#state = 'failed';
    const seconds = Math.round((this.#now() - this.#since) / 1000);
    this.#failure = new SquallError(fault.code, `${this.#o.what}: still failing after ${seconds} s (${this.#o.deadlineKey ?? 'storageDeadlineMs'} ${this.#o.deadlineMs}): ${messageOf(fault)}`, { cause: fault });
    this.#o.collector.holdInput?.(undefined);
    if (this.#o.collector.reportFatalError !== undefined) this.#o.collector.reportFatalError(this.#failure);
    else this.#o.collector.reportError(this.#failure);
  }
}
