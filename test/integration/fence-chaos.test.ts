/**
 * Issue #23, the chaos test: three `nimbus local topologies/webrequest.ts -c input=kafka`
 * processes share one consumer group and one output, while 200,000 records arrive in a
 * 6-partition topic and a seeded schedule (test/support/partition-chaos.ts) kills, interrupts
 * and pauses them past the group's session timeout for two minutes. Once every offset is
 * committed, every (hostname, sequence) must be in the refined output exactly once: a paused
 * process that comes back after its partitions moved (a zombie) commits nothing of them.
 *
 * Runs with seeds 1-3 on the local disk and once over WebHDFS; SQUALL_CHAOS_SEEDS=5,6 picks
 * other seeds, SQUALL_CHAOS_SECONDS another duration. A failure prints the schedule. Needs Kafka
 * and HDFS (`bash infra/up.sh`).
 *
 * @squall-test slow (started first, so the two lanes of `npm test` end together)
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { type FileSystem, LocalFileSystem, WebHdfsFileSystem } from '../../bolts/hdfs/index.js';
import { ensureTopic } from '../../spouts/kafka/index.js';
import { ensureInfra, infraSettings, testNames, waitFor } from '../support/index.js';
import { PartitionChaos } from '../support/partition-chaos.js';
import { TopologyProcess } from '../support/topology-process.js';
import { duplicatesOf, everyOffsetCommitted, produceSteadily, refinedCounts } from '../support/webrequest-output.js';

const RECORDS = 200_000;
const PARTITIONS = 6;
const MEMBERS = 3;
const SESSION_TIMEOUT_MS = 10_000;
const CHAOS_MS = Number(process.env.SQUALL_CHAOS_SECONDS ?? 120) * 1000;
const SEEDS = (process.env.SQUALL_CHAOS_SEEDS ?? '1,2,3').split(',').map(Number);
const brokers = [...infraSettings.kafka.brokers];
const hdfsUrl = `http://${infraSettings.hdfs.host}:${infraSettings.hdfs.webhdfsPort}`;

let admin: Admin;
before(async () => {
  await ensureInfra();
  admin = new Kafka({ brokers, clientId: 'fence-chaos', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
});
after(async () => {
  await admin?.disconnect();
});

async function chaosRun(seed: number, storage: 'local' | 'webhdfs'): Promise<void> {
  const names = testNames(`fence-chaos-${storage}-${seed}`);
  await ensureTopic(brokers, names.topic, { partitions: PARTITIONS });
  const localDir = storage === 'local' ? await mkdtemp(join(tmpdir(), 'squall-fence-chaos-')) : undefined;
  const output = localDir ?? names.hdfsPath;
  const fs: FileSystem = localDir === undefined ? new WebHdfsFileSystem({ url: hdfsUrl }) : new LocalFileSystem();
  const refinedRoot = `${output}/webrequest`;
  const config = {
    input: 'kafka',
    // Last month's generated records, replayed: bounds relative to the stream, not the wall clock.
    eventTimeReference: 'stream',
    topics: names.topic,
    groupId: names.groupId,
    output,
    format: 'ndjson',
    threads: 0,
    sessionTimeoutMs: SESSION_TIMEOUT_MS,
    heartbeatIntervalMs: 1_000,
    ...(localDir === undefined ? { hdfs: hdfsUrl } : {}),
  };
  let generation = 0;
  const chaos = new PartitionChaos(MEMBERS, {
    seed,
    durationMs: CHAOS_MS,
    sessionTimeoutMs: SESSION_TIMEOUT_MS,
    start: (i) => new TopologyProcess(`member ${i}.${generation++}`, 'topologies/webrequest.ts', config),
  });
  try {
    await Promise.all([produceSteadily(brokers, names.topic, { records: RECORDS, partitions: PARTITIONS, spreadMs: CHAOS_MS * 0.8 }), chaos.run()]);
    await waitFor(() => everyOffsetCommitted(admin, fs, refinedRoot, names.topic), { timeoutMs: 180_000, intervalMs: 1_000, message: 'every offset committed in the refined output' }).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\n${chaos.report()}`);
    });
    await chaos.stop();
    const { distinct, duplicated } = duplicatesOf(await refinedCounts(fs, refinedRoot));
    const message = `${distinct} distinct records, ${duplicated.length} duplicated (e.g. ${duplicated.slice(0, 5).map(([k, n]) => `${k}×${n}`).join(', ')})\n${chaos.report()}`;
    assert.equal(duplicated.length, 0, message);
    assert.equal(distinct, RECORDS, message);
    console.log(`seed ${seed}, ${storage}: ${RECORDS} records exactly once\n${chaos.schedule.join('\n')}`);
  } finally {
    await Promise.all(chaos.members.map((m) => m.kill9()));
    if (localDir !== undefined) await rm(localDir, { recursive: true, force: true });
    else await fs.delete(names.hdfsPath, { recursive: true }).catch(() => {});
    await fs.close();
  }
}

// Two runs at a time: each is paced by its two-minute schedule, not by the CPU, so a pair takes
// little longer than one run.
describe('three processes, one group, one output, under kills and pauses', { timeout: 15 * 60_000, concurrency: 2 }, () => {
  for (const seed of SEEDS) it(`local output, seed ${seed}: every record exactly once`, () => chaosRun(seed, 'local'));
  it(`WebHDFS output, seed ${SEEDS[0]! + 100}: every record exactly once`, () => chaosRun(SEEDS[0]! + 100, 'webhdfs'));
});
