/**
 * The salt store a topology's config asks for, shared by every task of the process that asks
 * for the same one: Redis when `redis` is set (every process then hashes a period alike), else
 * this process's memory.
 */
import type { TopologyContext } from '../../core/index.js';
import { DEFAULT_SALT_ROTATION_MS } from './anonymize.js';
import { RedisSaltStore } from './redis-salt-store.js';
import { MemorySaltStore, type SaltStore } from './salt-store.js';
import { SharedResources } from '../../core/index.js';

const stores = new SharedResources<SaltStore>();

/** A salt store held by one task; give it back with `release()`. */
export interface HeldSaltStore {
  readonly store: SaltStore;
  readonly rotationMs: number;
  release(): Promise<void>;
}

/**
 * The salt store of a task's config: `redis` (`host:port`, or a `redis://` URL with a database),
 * `saltRotationMs` (one day) and `saltKeyPrefix`. Redis client errors go to the task's logger at
 * debug level: ioredis reconnects many times a second, and the refine bolt says once what is wrong
 * when it needs a salt (refine-salts.ts).
 */
export function acquireSaltStore(context: TopologyContext): HeldSaltStore {
  const config = context.config;
  const rotationMs = Number(config.saltRotationMs ?? DEFAULT_SALT_ROTATION_MS);
  const redisUrl = config.redis === undefined ? undefined : String(config.redis);
  const keyPrefix = config.saltKeyPrefix === undefined ? undefined : String(config.saltKeyPrefix);
  const key = `${redisUrl ?? 'memory'}|${rotationMs}|${keyPrefix ?? ''}`;
  const onError = (error: Error) => context.logger.debug(`salt store: ${error.message}`);
  const store = stores.acquire(key, () =>
    redisUrl === undefined
      ? new MemorySaltStore({ rotationMs })
      : new RedisSaltStore({ redis: { ...parseRedisUrl(redisUrl), lazyConnect: false, maxRetriesPerRequest: 2 }, rotationMs, onError, ...(keyPrefix ? { keyPrefix } : {}) }),
  );
  return { store, rotationMs, release: () => stores.release(key) };
}

/** `host:port` or `redis://host:port/db` → ioredis connection options. */
export function parseRedisUrl(url: string): { host: string; port: number; db?: number } {
  const u = new URL(url.includes('://') ? url : `redis://${url}`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined;
  return { host: u.hostname || '127.0.0.1', port: Number(u.port || 6379), ...(db !== undefined ? { db } : {}) };
}
