/**
 * The salts the refine bolt hands its threads, and how it waits for them. A salt store that
 * cannot give a salt (`SQUALL_ERR_SALT_UNAVAILABLE`: Redis down, or unreachable at the address
 * given) is waited out as a storage fault is (core's `StorageHold`): the bolt holds its input,
 * says once what is wrong and what to check, retries with backoff, and goes on when the store
 * answers; past `saltStoreDeadlineMs` the run stops with that reason. Its lines stay pending
 * meanwhile (backpressure), instead of failing into a storm of replays.
 */
import { type OutputCollector, type SquallError, StorageHold, type TopologyContext } from '../../core/index.js';
import { messageOf } from '../../core/index.js';
import { SALT_UNAVAILABLE } from './redis-salt-store.js';
import type { HeldSaltStore } from './salt-store-config.js';

/** How long refine waits for an unreachable salt store before the run stops, in ms. */
export const DEFAULT_SALT_STORE_DEADLINE_MS = 120_000;

/** The salt-store fault in an error's cause chain, if any. */
function saltFaultOf(error: unknown): SquallError | undefined {
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 16; depth++) {
    if ((e as { code?: unknown }).code === SALT_UNAVAILABLE) return e as SquallError;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export class RefineSalts {
  readonly #salts: HeldSaltStore;
  readonly #hold: StorageHold;
  /** Salts fetched, by period, copied into their own buffers for the threads. */
  readonly #held = new Map<string, { salt: Buffer; copy: Uint8Array }>();
  /** One wait per period, however many batches need its salt. */
  readonly #waits = new Map<string, Promise<Buffer>>();

  constructor(salts: HeldSaltStore, context: TopologyContext, collector: OutputCollector) {
    this.#salts = salts;
    this.#hold = new StorageHold({
      collector,
      logger: context.logger,
      deadlineMs: Number(context.config.saltStoreDeadlineMs ?? DEFAULT_SALT_STORE_DEADLINE_MS),
      deadlineKey: 'saltStoreDeadlineMs',
      what: 'reading anonymization salts',
      stopping: context.stopping,
      faultOf: saltFaultOf,
    });
  }

  get rotationMs(): number {
    return this.#salts.rotationMs;
  }

  cachedSalt(period: string): Buffer | undefined {
    return this.#salts.store.cachedSalt(period);
  }

  /** Fetches salts, waiting out an unreachable store; returns why each one that could not be had failed. */
  async fetch(periods: Set<string>): Promise<Map<string, string>> {
    const unavailable = new Map<string, string>();
    await Promise.all(
      [...periods].map((period) =>
        this.#wait(period).then(
          (salt) => void this.#held.set(period, { salt, copy: new Uint8Array(salt) }),
          (error: unknown) => void unavailable.set(period, messageOf(error)),
        ),
      ),
    );
    return unavailable;
  }

  #wait(period: string): Promise<Buffer> {
    let wait = this.#waits.get(period);
    if (wait === undefined) {
      wait = this.#hold.run(() => this.#salts.store.saltFor(period)).finally(() => this.#waits.delete(period));
      this.#waits.set(period, wait);
    }
    return wait;
  }

  /** The salts still current in the store, each in a buffer of its own (never a pooled slab). */
  forThreads(): [string, Uint8Array][] {
    const out: [string, Uint8Array][] = [];
    for (const [period, held] of this.#held) {
      const current = this.#salts.store.cachedSalt(period);
      if (current === undefined) this.#held.delete(period);
      else if (current !== held.salt) this.#held.set(period, { salt: current, copy: new Uint8Array(current) });
      if (current !== undefined) out.push([period, this.#held.get(period)!.copy]);
    }
    return out;
  }

  /** Ends any wait, and gives the store back. */
  release(): Promise<void> {
    this.#hold.close();
    return this.#salts.release();
  }
}
