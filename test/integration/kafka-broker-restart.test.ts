/**
 * A broker restart under `webrequest.ts -c input=kafka` (issue #12): the run goes on by itself,
 * says in its log what it waits for while the broker is away, and once it is back every record
 * is written exactly once.
 *
 * @squall-test exclusive (it restarts the Kafka broker under every other test)
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { ensureTopic, produceLines } from '../../spouts/kafka/index.js';
import { filesUnder, generatedLines } from '../support/file-input.js';
import { ensureInfra, infraSettings, restartService, testNames, waitFor } from '../support/index.js';
import { repoTempDir } from '../support/nimbus.js';
import { TopologyProcess } from '../support/topology-process.js';

const brokers = [...infraSettings.kafka.brokers];
const names = testNames('kafka-broker-restart');
const work = repoTempDir('kafka-broker-restart');
let run: TopologyProcess | undefined;

before(async () => {
  await ensureInfra();
  await ensureTopic(brokers, names.topic, { partitions: 2 });
});

after(async () => {
  await run?.kill9();
  rmSync(work, { recursive: true, force: true });
  const admin = new Kafka({ brokers, clientId: 'squall-test-admin', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [names.topic] }).catch(() => {});
  await admin.deleteGroups([names.groupId]).catch(() => {});
  await admin.disconnect();
});

/** Each line of the refined output by its cache host and sequence number, and of the errors by its source position. */
function written(output: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const f of filesUnder(output)) {
    const refined = /\/webrequest\/year=.*\/part-[^/]*$/.test(f);
    if (!refined && !/\/errors\/errors-[^/]*\.ndjson$/.test(f)) continue;
    for (const line of readFileSync(f, 'utf8').split('\n').filter(Boolean)) {
      const r = JSON.parse(line) as { hostname?: string; sequence?: number; origin?: string };
      const key = refined ? `${r.hostname}#${r.sequence}` : `error ${r.origin}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

test('a broker restart mid-run: the run reads on by itself, any consumer crash it logs names what it waits for, and every record is written once', { timeout: 300_000 }, async () => {
  const output = join(work, 'out');
  const config = { input: 'kafka', brokers: brokers.join(','), topics: names.topic, groupId: names.groupId, output, format: 'ndjson', threads: 0, eventTimeReference: 'stream' };
  const lines = generatedLines(2_000, 17);
  await produceLines(brokers, names.topic, lines.slice(0, 1_000).map((value) => ({ value })));
  run = new TopologyProcess('run', 'topologies/webrequest.ts', config);
  await waitFor(() => written(output).size > 0 || !run!.running, { timeoutMs: 90_000, intervalMs: 200, message: 'the run to write records' });
  assert.ok(run.running, run.tail());

  await restartService('kafka');
  await produceLines(brokers, names.topic, lines.slice(1_000).map((value) => ({ value })));
  await waitFor(() => written(output).size >= 2_000 || !run!.running, { timeoutMs: 180_000, intervalMs: 500, message: 'every record written after the broker restart' });
  assert.ok(run.running, `the run went on by itself:\n${run.tail()}`);
  const counts = written(output);
  assert.equal(counts.size, 2_000, 'every record, refined or in errors');
  assert.deepEqual([...counts].filter(([, n]) => n > 1), [], 'none twice');
  // Whatever the broker's absence did to the consumer, the log named what it waited for.
  for (const crash of run.output.split('\n').filter((l) => /the Kafka consumer crashed/.test(l))) assert.match(crash, /waiting for/, crash);
  await run.interrupt();
});
