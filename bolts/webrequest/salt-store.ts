/**
 * Where anonymization salts come from. A salt is 32 random bytes per period; every worker must
 * hash a period with the same salt, and a salt is forgotten soon after its period ends. Salts are
 * never logged or serialized: stores keep them in private fields, and their `toJSON` and
 * `util.inspect` show only the configuration.
 */
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { ErrorCodes, SquallError } from '../../core/errors.js';
import { DEFAULT_SALT_ROTATION_MS, periodBounds } from './anonymize.js';

/** The length of a fresh salt, in bytes. */
export const SALT_BYTES = 32;

/** A source of per-period salts. */
export interface SaltStore {
  /** The salt of a period named by `periodOf`; the same for every caller and worker. */
  saltFor(period: string): Promise<Buffer>;
  /** The salt of a period when it is already held in memory, without waiting. */
  cachedSalt(period: string): Buffer | undefined;
  /** Release connections. Safe to call twice. */
  close(): Promise<void>;
}

/** Options shared by every salt store. */
export interface SaltStoreOptions {
  /** The length of a salt period, in milliseconds. @default 86400000 (one day) */
  rotationMs?: number;
  /** How long a salt outlives its period, for late records, in milliseconds. @default 3600000 */
  graceMs?: number;
  /** The clock, in epoch milliseconds. @default Date.now */
  now?: () => number;
}

/** Defaults of {@link SaltStoreOptions}. */
export const SALT_STORE_DEFAULTS: Readonly<Required<SaltStoreOptions>> = Object.freeze({
  rotationMs: DEFAULT_SALT_ROTATION_MS,
  graceMs: 3_600_000,
  now: Date.now,
});

/** Merge and validate salt-store options. */
export function compileSaltStoreOptions(options: SaltStoreOptions = {}): Required<SaltStoreOptions> {
  const merged = { ...SALT_STORE_DEFAULTS, ...options };
  if (!Number.isSafeInteger(merged.rotationMs) || merged.rotationMs < 1000) {
    throw new SquallError(ErrorCodes.INVALID_CONFIG, 'rotationMs must be an integer of at least 1000 (one second); use 86400000 for daily salts');
  }
  if (!Number.isSafeInteger(merged.graceMs) || merged.graceMs < 0) {
    throw new SquallError(ErrorCodes.INVALID_CONFIG, 'graceMs must be a non-negative integer, such as 3600000 (one hour)');
  }
  return merged;
}

interface HeldSalt {
  salt: Buffer;
  /** Epoch milliseconds after which the salt is forgotten. */
  expiresAt: number;
}

/**
 * Salts held in this process's memory only: random per period, forgotten once the period (or, for
 * a period drawn after it ended, the drawing) plus the grace has passed. For tests and single-process runs; workers in separate processes would
 * each draw their own salt.
 */
export class MemorySaltStore implements SaltStore {
  readonly #options: Required<SaltStoreOptions>;
  readonly #salts = new Map<string, HeldSalt>();

  constructor(options: SaltStoreOptions = {}) {
    this.#options = compileSaltStoreOptions(options);
  }

  saltFor(period: string): Promise<Buffer> {
    try {
      return Promise.resolve(this.saltForSync(period));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The salt of a period, drawn now when there is none. */
  saltForSync(period: string): Buffer {
    const now = this.#options.now();
    this.#forgetExpired(now);
    const held = this.#salts.get(period);
    if (held !== undefined) return held.salt;
    const { endMs } = periodBounds(period, this.#options.rotationMs);
    const salt = randomBytes(SALT_BYTES);
    // A period that has already ended (late or replayed records) keeps its salt for the grace
    // from now, so every record of the backfill hashes alike.
    this.#salts.set(period, { salt, expiresAt: Math.max(endMs, now) + this.#options.graceMs });
    return salt;
  }

  cachedSalt(period: string): Buffer | undefined {
    const held = this.#salts.get(period);
    return held !== undefined && held.expiresAt > this.#options.now() ? held.salt : undefined;
  }

  /** How many periods' salts are held. */
  get size(): number {
    return this.#salts.size;
  }

  close(): Promise<void> {
    this.#salts.clear();
    return Promise.resolve();
  }

  #forgetExpired(now: number): void {
    for (const [period, held] of this.#salts) if (held.expiresAt <= now) this.#salts.delete(period);
  }

  toJSON(): Record<string, unknown> {
    return { kind: 'MemorySaltStore', rotationMs: this.#options.rotationMs, graceMs: this.#options.graceMs };
  }

  [inspect.custom](): string {
    return `MemorySaltStore ${JSON.stringify(this.toJSON())}`;
  }
}
