/**
 * The loopback services really work, through the clients Squall uses: kafkajs, WebHDFS over
 * node:http, node-zookeeper-client and ioredis. Run after `bash infra/up.sh` (npm test does it).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';
import {
  ensureInfra,
  httpRequest,
  redirectLocation,
  testNames,
  waitFor,
  waitForEvent,
  zookeeper,
  type InfraSettings,
  type ZkClient,
  type ZkEvent,
} from '../support/index.js';

let infra: InfraSettings;
let redis: Redis;

// One hook for all setup: node:test runs a root hook registered later at once, not in order.
before(async () => {
  infra = await ensureInfra();
  redis = new Redis({ host: infra.redis.host, port: infra.redis.port, lazyConnect: true });
  await redis.connect();
});

after(() => redis?.disconnect());

test('kafka: a consumer group receives exactly the produced messages', { timeout: 90_000 }, async () => {
  const names = testNames('kafka-roundtrip');
  const kafka = new Kafka({ clientId: 'squall-infra-test', brokers: [...infra.kafka.brokers], logLevel: logLevel.ERROR });
  const admin = kafka.admin();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  // A short fetch wait: an empty fetch otherwise holds the test for the default 5 s.
  const consumer = kafka.consumer({ groupId: names.groupId, maxWaitTimeInMs: 250 });
  try {
    await admin.connect();
    assert.equal(await admin.createTopics({ topics: [{ topic: names.topic, numPartitions: 3 }], waitForLeaders: true }), true);

    const sent = Array.from({ length: 12 }, (_, i) => ({ key: `host-${i % 4}`, value: `record ${i} of ${names.suffix}` }));
    await producer.connect();
    await producer.send({ topic: names.topic, messages: sent });

    const received: { partition: number; offset: string; key: string; value: string }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [names.topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        received.push({ partition, offset: message.offset, key: message.key!.toString(), value: message.value!.toString() });
      },
    });
    await waitFor(() => received.length >= sent.length, {
      timeoutMs: 60_000,
      message: `${sent.length} messages on ${names.topic} (have ${received.length})`,
    });

    const offsets = await admin.fetchTopicOffsets(names.topic);
    const total = offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
    assert.equal(total, sent.length, 'the topic holds exactly what was produced');
    assert.equal(received.length, sent.length, 'no message arrived twice');
    const byValue = (a: { value: string }, b: { value: string }) => a.value.localeCompare(b.value);
    assert.deepEqual(
      received.map(({ key, value }) => ({ key, value })).sort(byValue),
      [...sent].sort(byValue),
    );
    // One key always lands on one partition, in the order it was sent.
    for (let host = 0; host < 4; host += 1) {
      const ofKey = received.filter((m) => m.key === `host-${host}`);
      assert.equal(new Set(ofKey.map((m) => m.partition)).size, 1, `host-${host} stays on one partition`);
      assert.deepEqual(ofKey.map((m) => m.value), sent.filter((m) => m.key === `host-${host}`).map((m) => m.value));
    }
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
    await admin.deleteGroups([names.groupId]).catch(() => undefined);
    await admin.deleteTopics({ topics: [names.topic] }).catch(() => undefined);
    await admin.disconnect();
  }
});

test('webhdfs: create through the DataNode redirect, append, rename, list and read exact bytes', { timeout: 60_000 }, async () => {
  const dir = testNames('webhdfs').hdfsPath;
  const url = (path: string, op: string, extra = '') => `${infra.hdfs.webhdfsUrl}${path}?op=${op}&user.name=squall${extra}`;
  const first = Buffer.from([0x00, 0x01, 0xfe, 0xff, ...Buffer.from('squall\n')]);
  const second = Buffer.from('appended ünïcode line\n', 'utf8');
  try {
    const mkdirs = await httpRequest(url(dir, 'MKDIRS'), { method: 'PUT' });
    assert.equal(mkdirs.status, 200);
    assert.deepEqual(JSON.parse(mkdirs.body.toString()), { boolean: true });

    // CREATE: the NameNode answers 307 with a DataNode location that must be loopback.
    const create = await httpRequest(url(`${dir}/part-0.tmp`, 'CREATE'), { method: 'PUT' });
    const createAt = new URL(redirectLocation(create, 'CREATE'));
    assert.equal(createAt.hostname, '127.0.0.1');
    assert.equal(Number(createAt.port), infra.hdfs.datanodeHttpPort);
    const created = await httpRequest(createAt, { method: 'PUT', body: first });
    assert.equal(created.status, 201, created.body.toString());

    const append = await httpRequest(url(`${dir}/part-0.tmp`, 'APPEND'), { method: 'POST' });
    const appended = await httpRequest(redirectLocation(append, 'APPEND'), { method: 'POST', body: second });
    assert.equal(appended.status, 200, appended.body.toString());

    const rename = await httpRequest(url(`${dir}/part-0.tmp`, 'RENAME', `&destination=${encodeURIComponent(`${dir}/part-0.avro`)}`), { method: 'PUT' });
    assert.deepEqual(JSON.parse(rename.body.toString()), { boolean: true });

    const list = await httpRequest(url(dir, 'LISTSTATUS'));
    assert.equal(list.status, 200);
    const statuses = JSON.parse(list.body.toString()).FileStatuses.FileStatus as { pathSuffix: string; type: string; length: number }[];
    assert.deepEqual(
      statuses.map(({ pathSuffix, type, length }) => ({ pathSuffix, type, length })),
      [{ pathSuffix: 'part-0.avro', type: 'FILE', length: first.length + second.length }],
    );

    const open = await httpRequest(url(`${dir}/part-0.avro`, 'OPEN'));
    const read = await httpRequest(redirectLocation(open, 'OPEN'));
    assert.equal(read.status, 200);
    assert.deepEqual(read.body, Buffer.concat([first, second]));

    const gone = await httpRequest(url(`${dir}/part-0.tmp`, 'GETFILESTATUS'));
    assert.equal(gone.status, 404);
    assert.equal(JSON.parse(gone.body.toString()).RemoteException.exception, 'FileNotFoundException');
  } finally {
    const removed = await httpRequest(url(dir, 'DELETE', '&recursive=true'), { method: 'DELETE' });
    assert.deepEqual(JSON.parse(removed.body.toString()), { boolean: true });
  }
});

function zkCall<T>(fn: (callback: (error: Error | null, result: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((error, result) => (error ? reject(error) : resolve(result))));
}

async function zkConnect(sessionTimeout = 10_000): Promise<ZkClient> {
  const client = zookeeper.createClient(infra.zookeeper.connectionString, { sessionTimeout, spinDelay: 200 });
  const connected = waitForEvent(client, 'connected', { timeoutMs: 10_000, message: `a ZooKeeper session on ${infra.zookeeper.connectionString}` });
  client.connect();
  await connected;
  return client;
}

test('zookeeper: an ephemeral node vanishes when its session closes', { timeout: 30_000 }, async () => {
  const root = testNames('zk-ephemeral').zkRoot;
  const owner = await zkConnect();
  const watcher = await zkConnect();
  try {
    await zkCall<string>((cb) => owner.create(root, null, zookeeper.CreateMode.PERSISTENT, cb));
    const member = await zkCall<string>((cb) => owner.create(`${root}/supervisor-`, Buffer.from('slots=6700'), zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL, cb));

    let onEvent!: (event: ZkEvent) => void;
    const deleted = new Promise<ZkEvent>((resolve) => (onEvent = resolve));
    const stat = await zkCall<unknown>((cb) => watcher.exists(member, onEvent, cb));
    assert.ok(stat, `${member} exists while its session is open`);
    assert.deepEqual((stat as { ephemeralOwner: Buffer }).ephemeralOwner, owner.getSessionId());

    owner.close();
    const event = await deleted;
    assert.equal(event.getType(), zookeeper.Event.NODE_DELETED);
    assert.equal(event.getPath(), member);
    assert.equal(await zkCall<unknown>((cb) => watcher.exists(member, null, cb)), null);
  } finally {
    owner.close();
    await zkCall<void>((cb) => watcher.remove(root, -1, cb)).catch(() => undefined);
    watcher.close();
  }
});

test('redis: a key with a TTL expires', { timeout: 20_000 }, async () => {
  const key = `${testNames('redis-ttl').redisPrefix}salt`;
  assert.equal(await redis.set(key, 'not-a-real-salt', 'PX', 300), 'OK');
  const ttl = await redis.pttl(key);
  assert.ok(ttl > 0 && ttl <= 300, `PTTL is ${ttl}, expected 1..300 ms`);
  await waitFor(async () => (await redis.exists(key)) === 0, { timeoutMs: 5_000, intervalMs: 25, message: `${key} to expire` });
  assert.equal(await redis.get(key), null);
  assert.equal(await redis.pttl(key), -2, 'an expired key is gone, not just empty');
});

test('redis: nothing is ever written to disk (no RDB snapshots, no AOF)', async () => {
  assert.deepEqual(await redis.config('GET', 'save'), ['save', '']);
  assert.deepEqual(await redis.config('GET', 'appendonly'), ['appendonly', 'no']);
});
