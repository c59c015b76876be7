import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { AvroContainerFormat } from './avro-container-format.js';
import { HdfsSinkBolt } from './hdfs-sink-bolt.js';
import { LocalFileSystem } from './local-file-system.js';
import type { HdfsSinkOptions } from './sink-options.js';
import { RecordingCollector, TEST_SCHEMA, at, listTree, readAvro, sinkContext, sourceTuple, tickTuple } from './sink-test-kit.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'squall-available-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const HOUR10 = 'year=2024/month=01/day=15/hour=10';
const HOUR11 = 'year=2024/month=01/day=15/hour=11';
const HOUR12 = 'year=2024/month=01/day=15/hour=12';
const event = (id: number, dt: string) => ({ id, dt, text: `event ${id}`, tags: { kind: 'test' } });

async function startSink(options: Partial<HdfsSinkOptions>): Promise<{ bolt: HdfsSinkBolt; collector: RecordingCollector }> {
  const bolt = new HdfsSinkBolt({
    fileSystem: new LocalFileSystem(),
    root,
    format: new AvroContainerFormat({ schema: TEST_SCHEMA as never, codec: 'snappy' }),
    hive: { table: 'events', database: 'raw' },
    availability: { lagMs: 0, checkIntervalMs: 1 },
    timerIntervalMs: 3_600_000,
    ...options,
  });
  const collector = new RecordingCollector();
  await bolt.prepare(sinkContext(), collector);
  return { bolt, collector };
}

describe('HdfsSinkBolt: data availability and Hive', () => {
  for (const codec of ['snappy', 'deflate'] as const) {
    it(`flags an hour with _SUCCESS once the watermark passes it, and writes Avro (${codec}) avsc can read`, async () => {
      const { bolt, collector } = await startSink({ format: new AvroContainerFormat({ schema: TEST_SCHEMA as never, codec }) });
      for (let i = 0; i < 5; i++) await bolt.execute(sourceTuple(event(i, at(10, i * 10)), 'events', 0, i));
      await bolt.execute(sourceTuple(event(5, at(12, 30)), 'events', 0, 5));
      await bolt.flush();
      assert.equal(collector.acked.length, 6);

      const tree = await listTree(root);
      assert.ok(tree.includes(`${HOUR10}/_SUCCESS`), 'hour 10 is complete');
      assert.ok(!tree.includes(`${HOUR12}/_SUCCESS`), 'hour 12 is not: the watermark is at 12:30');
      const file = tree.find((p) => p.startsWith(HOUR10) && p.endsWith('.avro'))!;
      assert.equal(file, `${HOUR10}/part-events-0-00000000000000000000-00000000000000000004.avro`);
      const { records, codec: written } = await readAvro(join(root, file));
      assert.equal(written, codec);
      assert.deepEqual(
        records.map((r) => (r as { id: number }).id),
        [0, 1, 2, 3, 4],
      );

      const ddl = await readFile(join(root, '_hive/events.ddl'), 'utf8');
      assert.match(ddl, /^CREATE EXTERNAL TABLE IF NOT EXISTS `raw`\.`events`\nPARTITIONED BY \(`year` int, `month` int, `day` int, `hour` int\)\nSTORED AS AVRO\n/);
      assert.ok(ddl.includes(`LOCATION '${root}'`));
      const literal = /'avro\.schema\.literal'='(.*)'\);\n$/.exec(ddl)?.[1];
      assert.deepEqual(JSON.parse(literal!), TEST_SCHEMA);

      const statement = `ALTER TABLE \`raw\`.\`events\` ADD IF NOT EXISTS PARTITION (\`year\`=2024, \`month\`=1, \`day\`=15, \`hour\`=10) LOCATION '${root}/${HOUR10}';\n`;
      assert.equal(await readFile(join(root, `_hive/events.partitions/${HOUR10.replace(/\//g, '.')}.hql`), 'utf8'), statement);
      assert.deepEqual(collector.onStream('available'), [[HOUR10, `${root}/${HOUR10}`, statement]]);
      await bolt.cleanup();
    });
  }

  it('waits for every source partition: an hour is complete when the slowest watermark passes it', async () => {
    const { bolt, collector } = await startSink({});
    await bolt.execute(sourceTuple(event(0, at(10, 1)), 'events', 0, 0));
    await bolt.execute(sourceTuple(event(1, at(10, 5)), 'events', 1, 0));
    await bolt.execute(sourceTuple(event(2, at(11, 30)), 'events', 0, 1));
    await bolt.execute(tickTuple());
    // Partition 0 passed hour 10: its hour-10 file is committed. Partition 1 has not.
    assert.deepEqual(collector.acked.map((t) => `${String(t.values[2])}@${String(t.values[3])}`), ['0@0']);
    let tree = await listTree(root);
    assert.ok(!tree.includes(`${HOUR10}/_SUCCESS`), 'partition 1 still holds hour 10 back');
    assert.deepEqual(tree.filter((p) => p.startsWith('_watermarks/')), ['_watermarks/events-0.json', '_watermarks/events-1.json']);

    await bolt.execute(sourceTuple(event(3, at(11, 10)), 'events', 1, 1));
    await bolt.execute(tickTuple());
    assert.equal(collector.acked.length, 2);
    tree = await listTree(root);
    assert.ok(tree.includes(`${HOUR10}/_SUCCESS`), 'both partitions passed hour 10');
    assert.ok(!tree.some((p) => p.startsWith(HOUR11)), 'the hour-11 files are still open');
    await bolt.flush();
    assert.equal(collector.acked.length, 4);
    assert.ok(!(await listTree(root)).includes(`${HOUR11}/_SUCCESS`), 'hour 11 is not complete: the watermark is at 11:10');
    await bolt.cleanup();
  });

  it('closes an hour by the shared event-time rule: the allowed lateness (lagMs) past its end, on the slowest source that is not idle', async () => {
    const { bolt } = await startSink({ availability: { lagMs: 10 * 60_000, checkIntervalMs: 1, idleSourceMs: 3_600_000 } });
    const { mkdir, writeFile } = await import('node:fs/promises');
    await mkdir(join(root, '_watermarks'), { recursive: true });
    // Another task's sources: one that still publishes (at 10:50), and one silent for two hours.
    const publish = (name: string, watermark: number, updatedAt: number) => writeFile(join(root, '_watermarks', name), JSON.stringify({ topic: 'events', partition: 0, watermark, updatedAt }));
    await publish('events-8.json', Date.parse(at(10, 50)), Date.now());
    await publish('events-9.json', Date.parse(at(10, 5)), Date.now() - 2 * 3_600_000);
    await bolt.execute(sourceTuple(event(0, at(10, 1)), 'events', 0, 0));
    await bolt.execute(sourceTuple(event(1, at(11, 9)), 'events', 0, 1));
    await bolt.execute(tickTuple());
    assert.ok(!(await listTree(root)).includes(`${HOUR10}/_SUCCESS`), 'events-8 holds hour 10 open');
    await publish('events-8.json', Date.parse(at(11, 30)), Date.now());
    await bolt.execute(tickTuple());
    assert.ok(!(await listTree(root)).includes(`${HOUR10}/_SUCCESS`), 'this source is at 11:09, short of 11:00 plus 10 minutes');
    await bolt.execute(sourceTuple(event(2, at(11, 10)), 'events', 0, 2));
    await bolt.execute(tickTuple());
    assert.ok((await listTree(root)).includes(`${HOUR10}/_SUCCESS`), 'at 11:10 hour 10 closes; the idle events-9 (at 10:05) holds nothing back');
    await bolt.cleanup();
  });

  it('flags, after a restart, hours whose data was committed before the crash', async () => {
    const first = await startSink({});
    await first.bolt.execute(sourceTuple(event(0, at(10)), 'events', 0, 0));
    await first.bolt.flush();
    assert.ok(!(await listTree(root)).includes(`${HOUR10}/_SUCCESS`));
    const second = await startSink({});
    await second.bolt.execute(sourceTuple(event(1, at(11, 30)), 'events', 0, 1));
    await second.bolt.flush();
    assert.ok((await listTree(root)).includes(`${HOUR10}/_SUCCESS`));
    await first.bolt.cleanup();
    await second.bolt.cleanup();
  });
});
