import type { InfraSettings } from '../settings.js';
import { probeSuffix, withDeadline } from './deadline.js';
import { zookeeper, type ZkClient } from './zookeeper-client.js';

function call<T>(fn: (callback: (error: Error | null, result: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((error, result) => (error ? reject(error) : resolve(result))));
}

/** Connects, creates a znode with data, reads it back, and removes it. */
export async function probeZookeeper(settings: InfraSettings, timeoutMs = 15_000): Promise<string> {
  const client: ZkClient = zookeeper.createClient(settings.zookeeper.connectionString, { sessionTimeout: 10_000, retries: 0 });
  const path = `/squall-status-${probeSuffix()}`;
  const payload = Buffer.from('probe');
  const started = Date.now();
  try {
    await withDeadline(
      (async () => {
        const connected = new Promise<void>((resolve) => client.once('connected', () => resolve()));
        client.connect();
        await withDeadline(connected, 5_000, `cannot connect to ${settings.zookeeper.connectionString}`);
        await call<string>((cb) => client.create(path, payload, zookeeper.CreateMode.PERSISTENT, cb));
        const data = await new Promise<Buffer>((resolve, reject) =>
          client.getData(path, null, (error, value) => (error ? reject(error) : resolve(value))),
        );
        if (!data.equals(payload)) throw new Error(`read back ${JSON.stringify(data.toString())}, expected "probe"`);
        await call<void>((cb) => client.remove(path, -1, cb));
      })(),
      timeoutMs,
      `ZooKeeper on ${settings.zookeeper.connectionString}`,
    );
    return `created, read and removed a znode in ${Date.now() - started} ms (${settings.zookeeper.connectionString})`;
  } finally {
    client.close();
  }
}
