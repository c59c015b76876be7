/**
 * A restart after kill -9 of `webrequest.ts -c input=kafka` (issue #12): Kafka hands the
 * partitions out again only once the killed member's session has expired. The restarted run says
 * so in its log, naming the wait, instead of sitting silent, and then reads on. The shared broker
 * is not restarted.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { ensureTopic, produceLines } from '../../spouts/kafka/index.js';
import { filesUnder, generatedLines } from '../support/file-input.js';
import { ensureInfra, infraSettings, testNames, waitFor } from '../support/index.js';
import { repoTempDir } from '../support/nimbus.js';
import { TopologyProcess } from '../support/topology-process.js';

const brokers = [...infraSettings.kafka.brokers];
const names = testNames('kafka-restart-join');
const work = repoTempDir('kafka-restart-join');
const processes: TopologyProcess[] = [];

before(async () => {
  await ensureInfra();
  await ensureTopic(brokers, names.topic, { partitions: 2 });
});

after(async () => {
  for (const p of processes) await p.kill9();
  rmSync(work, { recursive: true, force: true });
  const admin = new Kafka({ brokers, clientId: 'squall-test-admin', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [names.topic] }).catch(() => {});
  await admin.deleteGroups([names.groupId]).catch(() => {});
  await admin.disconnect();
});

/** Lines in the refined and error outputs. */
function linesWritten(output: string): number {
  return filesUnder(output)
    .filter((f) => /\/webrequest\/year=.*\/part-[^/]*$/.test(f) || /\/errors\/errors-[^/]*\.ndjson$/.test(f))
    .reduce((n, f) => n + readFileSync(f, 'utf8').split('\n').filter(Boolean).length, 0);
}

test('after kill -9, the restarted run names the wait for the killed member session, then reads on', { timeout: 180_000 }, async () => {
  const output = join(work, 'out');
  // A long session, so the wait is long enough to be said whatever this machine's start-up time.
  const config = { input: 'kafka', brokers: brokers.join(','), topics: names.topic, groupId: names.groupId, output, format: 'ndjson', threads: 0, sessionTimeoutMs: 30_000, eventTimeReference: 'stream' };
  const lines = generatedLines(2_000, 12);
  await produceLines(brokers, names.topic, lines.slice(0, 1_000).map((value) => ({ value })));

  const first = new TopologyProcess('first', 'topologies/webrequest.ts', config);
  processes.push(first);
  await waitFor(() => linesWritten(output) > 0 || !first.running, { timeoutMs: 90_000, intervalMs: 200, message: 'the first run to write records' });
  assert.ok(first.running, first.tail());
  await first.kill9();

  await produceLines(brokers, names.topic, lines.slice(1_000).map((value) => ({ value })));
  const second = new TopologyProcess('second', 'topologies/webrequest.ts', config);
  processes.push(second);
  const notice = /joining consumer group '([^']+)' takes a while: .*a member of an earlier run that was killed counts until its session expires \(sessionTimeoutMs 30000 ms after its last heartbeat\)/;
  const said = await waitFor(() => notice.exec(second.output) ?? (!second.running ? 'exited' : null), { timeoutMs: 60_000, intervalMs: 100, message: 'the restarted run to say what it waits for' });
  assert.notEqual(said, 'exited', second.tail());
  assert.equal((said as RegExpExecArray)[1], names.groupId);
  await waitFor(() => linesWritten(output) >= 2_000 || !second.running, { timeoutMs: 90_000, intervalMs: 200, message: 'the restarted run to read on to the end' });
  assert.ok(second.running, second.tail());
  assert.ok(linesWritten(output) >= 2_000, second.tail());
  await second.interrupt();
});
