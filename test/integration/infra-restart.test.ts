/**
 * Services can be stopped and started in the middle of a test (the base of later fault tests),
 * and clients reconnect. Restarting Redis also shows that it kept nothing on disk.
 *
 * @squall-test exclusive (it restarts ZooKeeper and Redis under every other test)
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { ensureInfra, restartService, testNames, waitForEvent, zookeeper, type InfraSettings, type ZkClient } from '../support/index.js';

let infra: InfraSettings;
const clients: { close(): void }[] = [];

before(async () => {
  infra = await ensureInfra();
});

after(() => {
  for (const client of clients) client.close();
});

function zkCall<T>(fn: (callback: (error: Error | null, result: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((error, result) => (error ? reject(error) : resolve(result))));
}

test('zookeeper: a restart keeps the session, its ephemeral node, and the client reconnects', { timeout: 120_000 }, async () => {
  const root = testNames('zk-restart').zkRoot;
  const client: ZkClient = zookeeper.createClient(infra.zookeeper.connectionString, { sessionTimeout: 30_000, spinDelay: 200 });
  clients.push(client);
  const connected = waitForEvent(client, 'connected', { message: 'the first ZooKeeper connection' });
  client.connect();
  await connected;
  const sessionId = client.getSessionId();
  await zkCall<string>((cb) => client.create(root, null, zookeeper.CreateMode.PERSISTENT, cb));
  const member = `${root}/worker`;
  await zkCall<string>((cb) => client.create(member, Buffer.from('alive'), zookeeper.CreateMode.EPHEMERAL, cb));

  const disconnected = waitForEvent(client, 'disconnected', { timeoutMs: 60_000, message: 'the client to notice ZooKeeper going down' });
  const reconnected = disconnected.then(() =>
    waitForEvent(client, 'connected', { timeoutMs: 60_000, message: 'the client to reconnect to the restarted ZooKeeper' }),
  );
  await restartService('zookeeper');
  await reconnected;

  assert.deepEqual(client.getSessionId(), sessionId, 'the same session goes on after the restart');
  const stat = await zkCall<{ ephemeralOwner: Buffer } | null>((cb) => client.exists(member, null, cb));
  assert.ok(stat, `${member} survived the restart with its session`);
  assert.deepEqual(stat.ephemeralOwner, sessionId);
  await zkCall<void>((cb) => client.remove(member, -1, cb));
  await zkCall<void>((cb) => client.remove(root, -1, cb));
});

test('redis: a restart drops every key (nothing on disk) and ioredis reconnects by itself', { timeout: 120_000 }, async () => {
  const redis = new Redis({ host: infra.redis.host, port: infra.redis.port, lazyConnect: true });
  clients.push({ close: () => redis.disconnect() });
  await redis.connect();
  const key = `${testNames('redis-restart').redisPrefix}salt`;
  assert.equal(await redis.set(key, 'not-a-real-salt'), 'OK');

  // While Redis is down ioredis emits an 'error' per refused reconnect and keeps retrying: those
  // are expected here, so they neither fail the waits nor go unhandled.
  const refused: Error[] = [];
  const onError = (error: Error) => refused.push(error);
  redis.on('error', onError);
  const closed = waitForEvent(redis, 'close', { timeoutMs: 60_000, rejectOnError: false, message: 'ioredis to notice Redis going down' });
  const ready = closed.then(() =>
    waitForEvent(redis, 'ready', { timeoutMs: 60_000, rejectOnError: false, message: 'ioredis to reconnect to the restarted Redis' }),
  );
  await restartService('redis');
  await ready;
  redis.off('error', onError);
  assert.ok(refused.every((error) => /ECONNREFUSED|ECONNRESET/.test(error.message)), `only refused reconnects: ${refused.map((e) => e.message).join('; ')}`);

  assert.equal(await redis.ping(), 'PONG');
  assert.equal(await redis.exists(key), 0, 'a key set before the restart is gone: Redis persisted nothing');
});
