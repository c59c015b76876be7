/**
 * Issue #14, the chaos test: `topologies/webrequest.ts` on a cluster of two Nimbus daemons and
 * two supervisors (2 slots each), reading a 6-partition Kafka topic and writing HDFS, while
 * 300,000 records arrive and, in order, waiting each time until the cluster runs the new
 * assignment: a worker is killed (-9), a supervisor with its workers, the leading Nimbus; a worker
 * is paused past its timeout and resumed once its executors run elsewhere (a zombie); the
 * topology is rebalanced from 2 workers to 3 and back; every Nimbus stops for 20 s (records keep
 * reaching HDFS meanwhile); one Nimbus starts again. Then every (hostname, sequence) must be in
 * the refined output exactly once, each in its own hour.
 *
 * @squall-test slow (started first, so the two lanes of `npm test` end together)
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { WebHdfsFileSystem, scanOutput } from '../../bolts/hdfs/index.js';
import { ensureTopic } from '../../spouts/kafka/index.js';
import { TestCluster } from '../support/cluster.js';
import { ensureInfra, infraSettings, testNames, waitFor } from '../support/index.js';
import { duplicatesOf, everyOffsetCommitted, produceSteadily, refinedCounts } from '../support/webrequest-output.js';

const RECORDS = Number(process.env.SQUALL_CLUSTER_CHAOS_RECORDS ?? 300_000);
const PARTITIONS = 6;
const brokers = [...infraSettings.kafka.brokers];
const hdfsUrl = `http://${infraSettings.hdfs.host}:${infraSettings.hdfs.webhdfsPort}`;

interface Page {
  epoch: number;
  workers: { supervisorId: string; port: number; running: boolean }[];
}

let admin: Admin;
let cluster: TestCluster;
before(async () => {
  await ensureInfra();
  admin = new Kafka({ brokers, clientId: 'cluster-chaos', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  cluster = new TestCluster({ label: 'cluster-chaos', nimbuses: 2, supervisors: 2, slots: 2 });
  await cluster.start();
});
after(async () => {
  await cluster?.stop();
  await admin?.disconnect();
});

test('webrequest on a cluster loses and duplicates nothing through kills, a rebalance and no Nimbus at all', { timeout: 600_000 }, async () => {
  const names = testNames('cluster-chaos');
  await ensureTopic(brokers, names.topic, { partitions: PARTITIONS });
  const fs = new WebHdfsFileSystem({ url: hdfsUrl });
  const refinedRoot = `${names.hdfsPath}/webrequest`;
  const config = { input: 'kafka', topics: names.topic, groupId: names.groupId, hdfs: hdfsUrl, output: names.hdfsPath, format: 'ndjson', threads: 0, sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1_000, eventTimeReference: 'stream' };
  const submitted = await cluster.cli(['submit', 'topologies/webrequest.ts', '--workers', '2', '--wait', '120', ...Object.entries(config).flatMap(([k, v]) => ['-c', `${k}=${v}`])]);
  assert.equal(submitted.code, 0, submitted.stderr);
  const log: string[] = [];
  const step = (what: string) => log.push(`${new Date().toISOString()} ${what}`);
  const status = () => cluster.json<Page>(['status', 'webrequest']);
  const running = (atLeastEpoch: number, what: string) =>
    waitFor(async () => {
      const p = await status().catch(() => undefined);
      return p !== undefined && p.epoch >= atLeastEpoch && p.workers.length > 0 && p.workers.every((w) => w.running) ? p : undefined;
    }, { timeoutMs: 120_000, intervalMs: 500, message: `${what}: running under epoch >= ${atLeastEpoch}\n${log.join('\n')}` });
  const committed = async () => [...(await scanOutput(fs, refinedRoot)).committed.values()].reduce((n, runs) => n + runs.size, 0);

  // Two thirds arrive through the kills and rebalances, the last third while no Nimbus runs.
  const early = Math.round((RECORDS * 2) / 3);
  const producing = produceSteadily(brokers, names.topic, { records: early, partitions: PARTITIONS, spreadMs: 60_000 });
  let page = await running(1, 'submitted');
  await waitFor(async () => (await committed()) > 0, { timeoutMs: 60_000, intervalMs: 500, message: 'first records in HDFS' });

  step('kill -9 a worker');
  const supA = cluster.supervisors.get('sup-a')!;
  const before = supA.output.length;
  TestCluster.kill(cluster.workerPids('sup-a')[0]);
  await waitFor(() => /started worker/.test(supA.output.slice(before)), { timeoutMs: 30_000, message: 'sup-a restarted its worker' });
  page = await running(page.epoch, 'worker restarted');

  step('kill -9 supervisor sup-b and its workers');
  const bWorkers = cluster.workerPids('sup-b');
  TestCluster.kill(cluster.supervisors.get('sup-b')!.child.pid);
  for (const pid of bWorkers) TestCluster.kill(pid);
  page = await running(page.epoch + 1, 'executors moved off sup-b');
  await cluster.startSupervisor('sup-b');

  step('kill -9 the leading Nimbus');
  const leader = await leaderAddress();
  TestCluster.kill(cluster.nimbuses.get(leader)!.child.pid);
  await waitFor(async () => (await leaderAddress().catch(() => leader)) !== leader, { timeoutMs: 30_000, intervalMs: 250, message: 'the standby leads' });

  step('SIGSTOP a worker past its timeout (a zombie), then SIGCONT it once its executors run elsewhere');
  const [zombie] = cluster.workerPids('sup-a');
  process.kill(zombie!, 'SIGSTOP');
  page = await running(page.epoch + 1, 'executors moved off the paused worker').finally(() => {
    step('SIGCONT the zombie');
    process.kill(zombie!, 'SIGCONT');
  });

  step('rebalance to 3 workers');
  assert.equal((await cluster.cli(['rebalance', 'webrequest', '--workers', '3'])).code, 0);
  page = await running(page.epoch + 1, 'rebalanced to 3');
  assert.equal(page.workers.length, 3);
  step('rebalance back to 2 workers');
  assert.equal((await cluster.cli(['rebalance', 'webrequest', '--workers', '2'])).code, 0);
  page = await running(page.epoch + 1, 'rebalanced to 2');
  assert.equal(page.workers.length, 2);

  await producing;
  step('stop every Nimbus for 20 s, while the last third of the records arrives');
  for (const d of cluster.nimbuses.values()) TestCluster.kill(d.child.pid);
  const atStop = await committed();
  const late = produceSteadily(brokers, names.topic, { records: RECORDS - early, from: early, partitions: PARTITIONS, spreadMs: 10_000 });
  // The scenario itself, not a synchronization: the cluster must go on without any Nimbus.
  await new Promise((r) => setTimeout(r, 20_000));
  const atRestart = await committed();
  await late;
  step(`records committed without Nimbus: ${atRestart - atStop}`);
  assert.ok(atRestart > atStop, 'records kept reaching HDFS while no Nimbus ran');
  await cluster.startNimbus();
  await running(page.epoch, 'a Nimbus again');

  step('every record produced');
  await waitFor(() => everyOffsetCommitted(admin, fs, refinedRoot, names.topic), { timeoutMs: 240_000, intervalMs: 1_000, message: `every offset committed\n${log.join('\n')}` });
  const { distinct, duplicated } = duplicatesOf(await refinedCounts(fs, refinedRoot));
  const message = `${distinct} distinct records, ${duplicated.length} duplicated (e.g. ${duplicated.slice(0, 5).map(([k, n]) => `${k}×${n}`).join(', ')})\n${log.join('\n')}`;
  assert.equal(duplicated.length, 0, message);
  assert.equal(distinct, RECORDS, message);
  console.log(`${RECORDS} records exactly once through:\n${log.join('\n')}`);
});

async function leaderAddress(): Promise<string> {
  const live = [...cluster.nimbuses].filter(([, d]) => d.child.exitCode === null && d.child.signalCode === null).map(([a]) => a);
  for (const address of live) {
    const answer = (await (await fetch(`http://${address}/api/v1/nimbus/summary`)).json()) as { nimbuses: { host: string; port: number; status: string }[] };
    const leader = answer.nimbuses.find((n) => n.status === 'Leader');
    if (leader !== undefined) return `${leader.host}:${leader.port}`;
  }
  throw new Error('no Nimbus leads');
}
