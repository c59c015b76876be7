/**
 * Salts in Redis, shared by every worker: `SET <prefix><period> <32 random bytes> NX PX <ttl>`
 * makes the first worker's salt the period's salt, then `GET` reads whichever salt won. Keys
 * expire after the rotation period plus the grace, so old salts vanish; run Redis without
 * persistence so that no salt reaches a disk.
 */
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { Redis, type RedisOptions } from 'ioredis';
import { ErrorCodes, SquallError, messageOf } from '../../core/errors.js';
import { periodBounds } from './anonymize.js';
import { SALT_BYTES, compileSaltStoreOptions, type SaltStore, type SaltStoreOptions } from './salt-store.js';

/** The error code when Redis gives no salt for a period. */
export const SALT_UNAVAILABLE = 'SQUALL_ERR_SALT_UNAVAILABLE';

/** Options of {@link RedisSaltStore}. */
export interface RedisSaltStoreOptions extends SaltStoreOptions {
  /**
   * A connected ioredis client, which the store uses but does not close; or the options of one
   * that the store opens and closes itself.
   */
  redis: Redis | RedisOptions;
  /** The prefix of salt keys. @default 'squall:salt:' */
  keyPrefix?: string;
  /**
   * Hears the errors of a client the store opened itself (a refused connection while Redis
   * restarts, say); ioredis keeps reconnecting. @default ignore them
   */
  onError?: (error: Error) => void;
}

/** The default prefix of salt keys. */
export const DEFAULT_SALT_KEY_PREFIX = 'squall:salt:';

interface HeldSalt {
  salt: Buffer;
  /** Epoch milliseconds: the end of the salt's period, or a minute after fetching for late data. */
  expiresAt: number;
}

/** How long the salt of a period that has already ended stays in memory after a fetch. */
export const LATE_SALT_HOLD_MS = 60_000;

/**
 * A {@link SaltStore} over Redis. Salts are cached in memory until their period ends; the salt of
 * a period that has already ended (late or replayed records) is held for
 * {@link LATE_SALT_HOLD_MS} after each fetch, so `cachedSalt` finds it right after `saltFor`.
 */
export class RedisSaltStore implements SaltStore {
  readonly #redis: Redis;
  readonly #ownsClient: boolean;
  readonly #keyPrefix: string;
  readonly #rotationMs: number;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #held = new Map<string, HeldSalt>();
  /** `host:port` of the Redis, for messages. */
  readonly #address: string;
  /** The client's last connection error, for the message when Redis cannot be reached. */
  #lastError: Error | undefined;
  readonly #pending = new Map<string, Promise<Buffer>>();
  #closing: Promise<void> | undefined;

  constructor(options: RedisSaltStoreOptions) {
    const base = compileSaltStoreOptions(options);
    const keyPrefix = options.keyPrefix ?? DEFAULT_SALT_KEY_PREFIX;
    if (typeof keyPrefix !== 'string' || keyPrefix === '') {
      throw new SquallError(ErrorCodes.INVALID_CONFIG, "keyPrefix must be a non-empty string, such as 'squall:salt:'");
    }
    this.#ownsClient = !(options.redis instanceof Redis);
    this.#redis = options.redis instanceof Redis ? options.redis : new Redis(options.redis);
    this.#address = `${this.#redis.options.host ?? '127.0.0.1'}:${this.#redis.options.port ?? 6379}`;
    if (this.#ownsClient) {
      this.#redis.on('error', (error: Error) => {
        this.#lastError = error;
        options.onError?.(error);
      });
      this.#redis.on('ready', () => (this.#lastError = undefined));
    }
    this.#keyPrefix = keyPrefix;
    this.#rotationMs = base.rotationMs;
    this.#ttlMs = base.rotationMs + base.graceMs;
    this.#now = base.now;
  }

  cachedSalt(period: string): Buffer | undefined {
    const held = this.#held.get(period);
    return held !== undefined && held.expiresAt > this.#now() ? held.salt : undefined;
  }

  saltFor(period: string): Promise<Buffer> {
    const cached = this.cachedSalt(period);
    if (cached !== undefined) return Promise.resolve(cached);
    let pending = this.#pending.get(period);
    if (pending === undefined) {
      pending = this.#fetch(period).finally(() => this.#pending.delete(period));
      this.#pending.set(period, pending);
    }
    return pending;
  }

  async #fetch(period: string): Promise<Buffer> {
    const { endMs } = periodBounds(period, this.#rotationMs);
    const key = this.#keyPrefix + period;
    let salt: Buffer | null;
    try {
      await this.#redis.set(key, randomBytes(SALT_BYTES), 'PX', this.#ttlMs, 'NX');
      salt = await this.#redis.getBuffer(key);
    } catch (error) {
      const message =
        this.#redis.status === 'ready'
          ? `could not read the salt of period ${period} from Redis at ${this.#address}: ${messageOf(error)}`
          : `the salt store is unreachable: Redis at ${this.#address} does not answer (${messageOf(this.#lastError ?? error)}); check that Redis runs there, or give its address with -c redis=host:port`;
      throw new SquallError(SALT_UNAVAILABLE, message, { retriable: true, cause: error });
    }
    if (salt === null || salt.length < SALT_BYTES) {
      throw new SquallError(SALT_UNAVAILABLE, `Redis held no salt for period ${period}`, { retriable: true });
    }
    this.#forgetEnded();
    this.#held.set(period, { salt, expiresAt: Math.max(endMs, this.#now() + LATE_SALT_HOLD_MS) });
    return salt;
  }

  #forgetEnded(): void {
    const now = this.#now();
    for (const [period, held] of this.#held) if (held.expiresAt <= now) this.#held.delete(period);
  }

  /** Forget cached salts and, when the store opened the client, disconnect it. Safe to call twice. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#held.clear();
      if (this.#ownsClient) await this.#redis.quit().catch(() => this.#redis.disconnect());
    })();
    return this.#closing;
  }

  toJSON(): Record<string, unknown> {
    return { kind: 'RedisSaltStore', keyPrefix: this.#keyPrefix, rotationMs: this.#rotationMs, ttlMs: this.#ttlMs };
  }

  [inspect.custom](): string {
    return `RedisSaltStore ${JSON.stringify(this.toJSON())}`;
  }
}
