import { Redis } from 'ioredis';
import type { InfraSettings } from '../settings.js';
import { probeSuffix, withDeadline } from './deadline.js';

/**
 * SETs a key with a TTL, reads it and its TTL back, deletes it, and checks that Redis persists
 * nothing (`save` empty, `appendonly no`): salts kept there must never reach a disk.
 */
export async function probeRedis(settings: InfraSettings, timeoutMs = 15_000): Promise<string> {
  const redis = new Redis({
    host: settings.redis.host,
    port: settings.redis.port,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    connectTimeout: 5_000,
  });
  let connectionError: Error | undefined;
  redis.on('error', (error: Error) => {
    connectionError = error;
  });
  const key = `squall:status:${probeSuffix()}`;
  const started = Date.now();
  try {
    await withDeadline(
      (async () => {
        await redis.connect().catch((error: Error) => {
          throw new Error(`cannot connect: ${connectionError?.message ?? error.message}`);
        });
        const ok = await redis.set(key, 'probe', 'PX', 30_000);
        if (ok !== 'OK') throw new Error(`SET answered ${ok}`);
        const ttl = await redis.pttl(key);
        if (ttl <= 0 || ttl > 30_000) throw new Error(`PTTL answered ${ttl}, expected 1..30000 ms`);
        const value = await redis.get(key);
        if (value !== 'probe') throw new Error(`GET answered ${JSON.stringify(value)}`);
        await redis.del(key);
        const [, save] = (await redis.config('GET', 'save')) as [string, string];
        const [, appendonly] = (await redis.config('GET', 'appendonly')) as [string, string];
        if (save !== '' || appendonly !== 'no') {
          throw new Error(`Redis persists data (save=${JSON.stringify(save)}, appendonly=${appendonly}); salts must never reach disk`);
        }
      })(),
      timeoutMs,
      `Redis on ${settings.redis.host}:${settings.redis.port}`,
    );
    return `SET with a TTL, GET and DEL in ${Date.now() - started} ms; persistence off (${settings.redis.host}:${settings.redis.port})`;
  } finally {
    redis.disconnect();
  }
}
