/**
 * Issue #23's pause scenario, as it was found: two `nimbus local topologies/webrequest.ts
 * -c input=kafka` processes, A and B, share one group and one NDJSON output while 100,000 lines
 * arrive in a 6-partition topic. Once A has committed output, A is paused with SIGSTOP for 45 s
 * (past its 30 s session timeout), so B takes its partitions; then A is resumed, and both run to
 * the end. Before the fence this left 12,000+ duplicated records. Prints each run's outcome and
 * exits 1 if any run has a duplicate or a missing record.
 *
 *   node --import tsx test/chaos/zombie-pause.ts [--runs 5] [--pause-seconds 45]
 *
 * Needs Kafka (`bash infra/up.sh`). Not part of `npm test` (a run takes ~2 minutes);
 * test/integration/fence-chaos.test.ts is.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { LocalFileSystem, scanOutput } from '../../bolts/hdfs/index.js';
import { ensureTopic } from '../../spouts/kafka/index.js';
import { ensureInfra, infraSettings, testNames, waitFor } from '../support/index.js';
import { TopologyProcess } from '../support/topology-process.js';
import { duplicatesOf, everyOffsetCommitted, produceSteadily, refinedCounts } from '../support/webrequest-output.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, 'pause-seconds': { type: 'string', default: '45' } } });
const RUNS = Number(values.runs);
const PAUSE_MS = Number(values['pause-seconds']) * 1000;
const RECORDS = 100_000;
const PARTITIONS = 6;
const brokers = [...infraSettings.kafka.brokers];

async function run(n: number): Promise<boolean> {
  const names = testNames(`zombie-pause-${n}`);
  await ensureTopic(brokers, names.topic, { partitions: PARTITIONS });
  const dir = await mkdtemp(join(tmpdir(), 'squall-zombie-'));
  const fs = new LocalFileSystem();
  const admin = new Kafka({ brokers, clientId: 'zombie-pause', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const config = { input: 'kafka', eventTimeReference: 'stream', topics: names.topic, groupId: names.groupId, output: dir, format: 'ndjson' };
  const a = new TopologyProcess('A', 'topologies/webrequest.ts', config);
  const b = new TopologyProcess('B', 'topologies/webrequest.ts', config);
  const t0 = Date.now();
  const at = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
  try {
    const producing = produceSteadily(brokers, names.topic, { records: RECORDS, partitions: PARTITIONS, spreadMs: 60_000, seed: n });
    // A holds partitions and writes them, and the output has committed files.
    await waitFor(() => /writing \S+ under lease/.test(a.output), { timeoutMs: 120_000, intervalMs: 200, message: 'A writing under a lease' }).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\n--- A\n${a.tail()}\n--- B\n${b.tail()}`);
    });
    await waitFor(async () => (await scanOutput(fs, `${dir}/webrequest`)).files > 0, { timeoutMs: 60_000, intervalMs: 500, message: 'committed output' });
    a.signal('SIGSTOP');
    console.log(`run ${n}: ${at()} A paused`);
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    a.signal('SIGCONT');
    console.log(`run ${n}: ${at()} A resumed`);
    await producing;
    await waitFor(() => everyOffsetCommitted(admin, fs, `${dir}/webrequest`, names.topic), { timeoutMs: 300_000, intervalMs: 1_000, message: 'every offset committed' });
    await Promise.all([a.interrupt(), b.interrupt()]);
    const { distinct, duplicated } = duplicatesOf(await refinedCounts(fs, `${dir}/webrequest`));
    const fenced = (a.output.match(/not committed: /g) ?? []).length + (b.output.match(/not committed: /g) ?? []).length;
    console.log(`run ${n}: ${at()} ${distinct} of ${RECORDS} records, ${duplicated.length} duplicated, ${RECORDS - distinct} missing; fenced-commit log lines: ${fenced}`);
    return duplicated.length === 0 && distinct === RECORDS;
  } finally {
    await Promise.all([a.kill9(), b.kill9()]);
    await admin.disconnect();
    await rm(dir, { recursive: true, force: true });
  }
}

await ensureInfra();
let passed = 0;
for (let n = 1; n <= RUNS; n++) {
  try {
    if (await run(n)) passed++;
  } catch (error) {
    console.log(`run ${n}: could not be carried out: ${(error as Error).message}`);
  }
}
console.log(`${passed} of ${RUNS} runs exactly once`);
process.exit(passed === RUNS ? 0 : 1);
