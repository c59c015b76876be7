/**
 * anonymize: replaces the client IP with its HMAC-SHA-256 under the salt of the record's period
 * and removes `ip` and `x_forwarded_for`. From here on no tuple holds a raw IP. Salts come from
 * Redis when `redis` is configured (shared by every worker, in volatile keys) and otherwise live
 * in this process's memory only. A salt not yet at hand is fetched once; if that fails (Redis
 * down) the tuple fails and its source replays it.
 */
import type { Bolt, OutputCollector, TopologyContext, Tuple } from '../../core/index.js';
import { anonymize, DEFAULT_SALT_ROTATION_MS, saltPeriodOf } from './anonymize.js';
import { RedisSaltStore } from './redis-salt-store.js';
import { MemorySaltStore, type SaltStore } from './salt-store.js';
import type { GeotaggedRecord } from './schema.js';

/** Salt stores shared by the anonymize tasks of a process, keyed by their settings. */
const sharedStores = new Map<string, { store: SaltStore; users: number }>();

function acquireStore(redisUrl: string | undefined, rotationMs: number, keyPrefix: string | undefined, onError: (error: Error) => void): { key: string; store: SaltStore } {
  const key = `${redisUrl ?? 'memory'}|${rotationMs}|${keyPrefix ?? ''}`;
  let entry = sharedStores.get(key);
  if (entry === undefined) {
    const store =
      redisUrl === undefined
        ? new MemorySaltStore({ rotationMs })
        : new RedisSaltStore({ redis: { ...parseRedisUrl(redisUrl), lazyConnect: false, maxRetriesPerRequest: 2 }, rotationMs, onError, ...(keyPrefix ? { keyPrefix } : {}) });
    entry = { store, users: 0 };
    sharedStores.set(key, entry);
  }
  entry.users++;
  return { key, store: entry.store };
}

async function releaseStore(key: string): Promise<void> {
  const entry = sharedStores.get(key);
  if (entry === undefined || --entry.users > 0) return;
  sharedStores.delete(key);
  await entry.store.close();
}

function parseRedisUrl(url: string): { host: string; port: number; db?: number } {
  const u = new URL(url.includes('://') ? url : `redis://${url}`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined;
  return { host: u.hostname || '127.0.0.1', port: Number(u.port || 6379), ...(db !== undefined ? { db } : {}) };
}

export class AnonymizeBolt implements Bolt {
  #collector!: OutputCollector;
  #store!: SaltStore;
  #storeKey = '';
  #rotationMs = DEFAULT_SALT_ROTATION_MS;

  prepare(context: TopologyContext, collector: OutputCollector): void {
    this.#collector = collector;
    this.#rotationMs = Number(context.config.saltRotationMs ?? DEFAULT_SALT_ROTATION_MS);
    const redis = context.config.redis === undefined ? undefined : String(context.config.redis);
    const prefix = context.config.saltKeyPrefix === undefined ? undefined : String(context.config.saltKeyPrefix);
    const { key, store } = acquireStore(redis, this.#rotationMs, prefix, (error) => context.logger.warn(`salt store: ${error.message}`));
    this.#store = store;
    this.#storeKey = key;
  }

  execute(tuple: Tuple): void | Promise<void> {
    const record = tuple.values[0] as GeotaggedRecord;
    const period = saltPeriodOf(record.ts, this.#rotationMs, Date.now());
    const salt = this.#store.cachedSalt(period);
    if (salt !== undefined) {
      this.#emit(tuple, record, salt);
      return;
    }
    return this.#store.saltFor(period).then((fetched) => this.#emit(tuple, record, fetched));
  }

  #emit(tuple: Tuple, record: GeotaggedRecord, salt: Buffer): void {
    const v = tuple.values;
    this.#collector.emit([anonymize(record, salt), v[1], v[2], v[3]]);
  }

  async cleanup(): Promise<void> {
    await releaseStore(this.#storeKey);
  }
}
