/**
 * Issue #19: a Kafka spout that hits a non-retriable error does not leave the topology idle. The
 * process cannot read zstd (test/fixtures/kafka-without-zstd.ts puts back kafkajs's "not
 * implemented"); once a zstd batch arrives, `nimbus local` exits 1 with the reason as its last
 * line, and the records acked before it stay committed (the spout commits them only as it
 * closes).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { ensureTopic, produceLines } from '../../spouts/kafka/index.js';
import { REPO_ROOT, ensureInfra, infraSettings, testNames, waitFor } from '../support/index.js';

const brokers = [...infraSettings.kafka.brokers];
const names = testNames('kafka-spout-fatal');
const PLAIN = 120;

let admin: Admin;
const children: ChildProcess[] = [];

before(async () => {
  await ensureInfra();
  admin = new Kafka({ brokers, clientId: 'squall-test-admin', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
});

after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await admin?.deleteTopics({ topics: [names.topic] }).catch(() => {});
  await admin?.deleteGroups([names.groupId]).catch(() => {});
  await admin?.disconnect();
});

test('a zstd batch the process cannot read ends the local run with exit 1 and the reason last, within seconds, with what was acked committed', { timeout: 120_000 }, async (t) => {
  await ensureTopic(brokers, names.topic, { partitions: 2 });
  await produceLines(brokers, names.topic, Array.from({ length: PLAIN }, (_, i) => ({ value: `{"n":${i}}`, partition: i % 2 })));

  const args = [join(REPO_ROOT, 'bin/nimbus.mjs'), 'local', join(REPO_ROOT, 'test/fixtures/kafka-without-zstd.ts'), '--no-typecheck', '--status-interval', '0.2'];
  for (const c of [`brokers=${brokers.join(',')}`, `topics=${names.topic}`, `groupId=${names.groupId}`]) args.push('-c', c);
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  // The status line says when every plain record is acked; nothing is committed before the close.
  await waitFor(() => new RegExp(`acked ${PLAIN} `).test(stderr) || child.exitCode !== null, { timeoutMs: 60_000, message: `the run to ack ${PLAIN} records` });
  assert.equal(child.exitCode, null, `still running:\n${stderr}`);
  const [before] = await admin.fetchOffsets({ groupId: names.groupId, topics: [names.topic] });
  assert.deepEqual(before!.partitions.map((p) => p.offset), ['-1', '-1'], 'nothing committed yet');

  await produceLines(brokers, names.topic, [{ value: '{"n":"zstd"}', partition: 1 }], { compression: 'zstd' });
  const produced = performance.now();
  const code = await Promise.race([exited, waitFor(() => false, { timeoutMs: 30_000, message: 'the run to end by itself after the zstd batch' }).catch(() => 'still running')]);
  t.diagnostic(`exited ${((performance.now() - produced) / 1000).toFixed(1)} s after the zstd batch was produced`);
  assert.equal(code, 1, `exit 1 (failed while running):\n${stdout}\n${stderr}`);

  const lastLine = stderr.trimEnd().split('\n').at(-1)!;
  assert.match(lastLine, /^nimbus local: topology 'kafka-without-zstd' failed: kafka\[\d+\]: the Kafka consumer failed and no restart can help: ZSTD compression not implemented\. A batch is compressed with a codec this process cannot read.* \[SQUALL_ERR_KAFKA_CONSUMER_CRASH\]$/);
  assert.match(stdout, /stopped after [\d.]+ s: 'kafka' task \d+ cannot go on/);

  const [after] = await admin.fetchOffsets({ groupId: names.groupId, topics: [names.topic] });
  assert.deepEqual(
    after!.partitions.sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset)),
    [PLAIN / 2, PLAIN / 2],
    'every acked record is committed, and not the zstd one',
  );
});
