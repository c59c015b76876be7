import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { OffsetRangeFileNameFormat } from './file-name-format.js';
import { HdfsSinkBolt } from './hdfs-sink-bolt.js';
import { LocalFileSystem } from './local-file-system.js';
import { committedOffsets, scanOutput } from './output-scan.js';
import { HourlyPartitioner, hourPartition } from './partitioner.js';
import type { HdfsSinkOptions } from './sink-options.js';
import { RecordingCollector, at, listTree, sinkContext, sourceTuple } from './sink-test-kit.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'squall-recovery-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const fs = new LocalFileSystem();
const names = new OffsetRangeFileNameFormat();

async function startSink(options: Partial<HdfsSinkOptions> = {}, taskIndex = 0, tasks = 1): Promise<{ bolt: HdfsSinkBolt; collector: RecordingCollector }> {
  const bolt = new HdfsSinkBolt({ fileSystem: fs, root, availability: false, hive: false, timerIntervalMs: 3_600_000, ...options });
  const collector = new RecordingCollector();
  await bolt.prepare(sinkContext({ taskIndex, tasks }), collector);
  return { bolt, collector };
}

/** (topic/partition@offset) of every record in committed files, with how often each appears. */
async function committedRecords(): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const path of await listTree(root)) {
    const name = path.split('/').pop()!;
    const source = names.parseCommitted(name);
    if (source === undefined) continue;
    for (const line of (await readFile(join(root, path), 'utf8')).trim().split('\n')) {
      const r = JSON.parse(line) as { offset: number };
      const key = `${source.topic}/${source.partition}@${r.offset}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

const rec = (offset: number, dt = at(10)) => ({ offset, dt });

describe('HdfsSinkBolt: exactly-once across a crash', () => {
  it('recovers committed ranges, removes its temporary file, and skips replayed offsets', async () => {
    // First incarnation: offsets 0..99 with files of 30 records, then a crash before the last commit.
    const first = await startSink({ rotation: { maxRecords: 30 }, writeBufferBytes: 1 });
    for (let o = 0; o < 100; o++) await first.bolt.execute(sourceTuple(rec(o), 'events', 0, o));
    await first.bolt.settled();
    assert.equal(first.collector.acked.length, 90);
    const temps = (await listTree(root)).filter((p) => p.includes('_tmp.'));
    assert.equal(temps.length, 1, 'the crash leaves a temporary file');
    // (The first bolt is dropped: no flush, no cleanup.)

    const second = await startSink({ rotation: { maxRecords: 30 } });
    assert.deepEqual((await listTree(root)).filter((p) => p.includes('_tmp.')), [], 'the temporary file is removed on prepare');
    // The spout replays everything not acked, and more: here all of 0..99, with 50..59 twice.
    const replay = [...Array.from({ length: 100 }, (_, o) => o), ...Array.from({ length: 10 }, (_, i) => 50 + i)];
    for (const o of replay) await second.bolt.execute(sourceTuple(rec(o), 'events', 0, o));
    // 0..89 and the ten duplicates are committed already: acked at once. 90..99 wait for a commit.
    assert.equal(second.collector.acked.length, 100);
    await second.bolt.flush();
    assert.equal(second.collector.acked.length, 110, 'every replayed tuple is acked');

    const counts = await committedRecords();
    assert.equal(counts.size, 100);
    for (let o = 0; o < 100; o++) assert.equal(counts.get(`events/0@${o}`), 1, `offset ${o} committed exactly once`);
    assert.deepEqual(await committedOffsets(fs, root), new Map([['events/0', 100]]));
    await second.bolt.cleanup();
  });

  it('records the exact offsets of files with gaps, so an uncommitted sibling file is rewritten, not skipped', async () => {
    // Offsets alternate between hours 10 and 11: each hour's file holds every other offset.
    const dt = (o: number) => at(o % 2 === 0 ? 10 : 11);
    // The hour-10 file (0,2,4,6,8) rotates at its 5th record; the task dies while the hour-11
    // file (1,3,5,7) is still open.
    const crashed = await startSink({ rotation: { maxRecords: 5 } });
    for (let o = 0; o < 9; o++) await crashed.bolt.execute(sourceTuple(rec(o, dt(o)), 'events', 3, o));
    await crashed.bolt.settled();
    assert.deepEqual(crashed.collector.ackedOffsets(), [0, 2, 4, 6, 8]);
    const tree = await listTree(root);
    assert.ok(tree.some((p) => p.endsWith('/_offsets.part-events-3-00000000000000000000-00000000000000000008.ndjson.json')), `a manifest: ${tree.join(', ')}`);

    const scan = await scanOutput(fs, root);
    assert.deepEqual(scan.committed.get('events/3')!.ranges(), [[0, 0], [2, 2], [4, 4], [6, 6], [8, 8]]);
    assert.deepEqual(await committedOffsets(fs, root), new Map([['events/3', 1]]));
    assert.deepEqual(await committedOffsets(fs, root, { from: new Map([['events/3', 0], ['events/4', 7]]) }), new Map([['events/3', 1], ['events/4', 7]]));

    const second = await startSink({ rotation: { maxRecords: 5 } });
    for (let o = 0; o < 10; o++) await second.bolt.execute(sourceTuple(rec(o, dt(o)), 'events', 3, o));
    await second.bolt.flush();
    assert.equal(second.collector.acked.length, 10);
    const counts = await committedRecords();
    for (let o = 0; o < 10; o++) assert.equal(counts.get(`events/3@${o}`), 1, `offset ${o} committed exactly once`);
    assert.deepEqual(await committedOffsets(fs, root), new Map([['events/3', 10]]));
    await second.bolt.cleanup();
  });

  it('keeps a replayed offset once when it arrives while its file is still open', async () => {
    const { bolt, collector } = await startSink();
    await bolt.execute(sourceTuple(rec(1), 'events', 0, 1));
    await bolt.execute(sourceTuple(rec(1), 'events', 0, 1));
    await bolt.execute(sourceTuple(rec(2), 'events', 0, 2));
    assert.equal(collector.acked.length, 0);
    await bolt.flush();
    assert.equal(collector.acked.length, 3);
    assert.deepEqual([...(await committedRecords()).values()], [1, 1]);
    await bolt.cleanup();
  });

  it('keeps writing while a file commits, and holds a replay of a committing offset with that file', async () => {
    // A filesystem whose renames wait for the test: the file of offsets 0..4 stays committing.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let renames = 0;
    const gated = new (class extends LocalFileSystem {
      override async rename(from: string, to: string): Promise<void> {
        if (renames++ === 0) await gate;
        return super.rename(from, to);
      }
    })();
    const { bolt, collector } = await startSink({ fileSystem: gated, rotation: { maxRecords: 5 } });
    for (let o = 0; o < 5; o++) await bolt.execute(sourceTuple(rec(o), 'events', 0, o));
    // The commit of 0..4 is held at its rename; new records still go into a new file.
    for (let o = 5; o < 8; o++) await bolt.execute(sourceTuple(rec(o), 'events', 0, o));
    await bolt.execute(sourceTuple(rec(2), 'events', 0, 2));
    assert.equal(collector.acked.length, 0);
    release();
    await bolt.settled();
    assert.deepEqual(collector.ackedOffsets(), [0, 1, 2, 2, 3, 4], 'the replayed offset 2 is acked with the file that holds it');
    await bolt.flush();
    assert.equal(collector.acked.length, 9);
    const counts = await committedRecords();
    for (let o = 0; o < 8; o++) assert.equal(counts.get(`events/0@${o}`), 1, `offset ${o} committed exactly once`);
    await bolt.cleanup();
  });

  it('holds a replay with the file that has its offset even when the partitioner now picks another hour', async () => {
    // A processing-time partitioner: the replay of offset 0 lands in a later hour than the original.
    let hour = 10;
    const partitioner = new (class extends HourlyPartitioner {
      override place() {
        const time = Date.parse(at(hour));
        return { partition: hourPartition(time), eventTime: time };
      }
    })();
    const { bolt, collector } = await startSink({ partitioner });
    await bolt.execute(sourceTuple(rec(0), 'events', 0, 0));
    hour = 11;
    await bolt.execute(sourceTuple(rec(0), 'events', 0, 0));
    await bolt.flush();
    assert.deepEqual(collector.ackedOffsets(), [0, 0]);
    assert.equal((await committedRecords()).get('events/0@0'), 1, 'offset 0 written once');
    await bolt.cleanup();
  });

  it('fails the tuples of a file whose commit fails, and writes their replays again', async () => {
    let failRename = true;
    const flaky = new (class extends LocalFileSystem {
      override async rename(from: string, to: string): Promise<void> {
        if (failRename) throw new Error('the NameNode went away');
        return super.rename(from, to);
      }
    })();
    const { bolt, collector } = await startSink({ fileSystem: flaky, rotation: { maxRecords: 3 } });
    for (let o = 0; o < 3; o++) await bolt.execute(sourceTuple(rec(o), 'events', 0, o));
    await bolt.settled();
    assert.equal(collector.failed.length, 3);
    assert.equal(collector.acked.length, 0);
    failRename = false;
    for (let o = 0; o < 3; o++) await bolt.execute(sourceTuple(rec(o), 'events', 0, o));
    await bolt.settled();
    assert.deepEqual(collector.ackedOffsets(), [0, 1, 2]);
    const counts = await committedRecords();
    for (let o = 0; o < 3; o++) assert.equal(counts.get(`events/0@${o}`), 1, `offset ${o} committed exactly once`);
    await bolt.cleanup();
  });

  it("leaves other tasks' temporary files alone, but removes those of task indexes that no longer exist", async () => {
    const dir = join(root, 'year=2024/month=01/day=15/hour=10');
    const temp = (owner: string) => join(dir, names.temporary(owner, 'abcd', { topic: 'events', partition: 0, firstOffset: 0 }, '.ndjson'));
    await fs.create(temp('hdfs-0'), Buffer.from('{}\n'));
    await fs.create(temp('hdfs-1'), Buffer.from('{}\n'));
    await fs.create(temp('hdfs-5'), Buffer.from('{}\n'));
    await fs.create(temp('other-0'), Buffer.from('{}\n'));
    const { bolt } = await startSink({}, 0, 2);
    const left = (await listTree(root)).map((p) => names.temporaryOwner(p.split('/').pop()!));
    assert.deepEqual(left.sort(), ['hdfs-1', 'other-0']);
    await bolt.cleanup();
  });

  it('does not trust an unreadable manifest beyond the ends of its file', async () => {
    const dir = join(root, 'year=2024/month=01/day=15/hour=10');
    const name = names.committed({ topic: 'events', partition: 0, firstOffset: 10, lastOffset: 20 }, '.ndjson');
    await fs.create(join(dir, name), Buffer.from('{}\n'));
    await writeFile(join(dir, names.manifest(name)), '{ torn');
    const scan = await scanOutput(fs, root);
    assert.deepEqual(scan.committed.get('events/0')!.ranges(), [[10, 10], [20, 20]]);
    assert.equal(scan.unflagged.length, 1);
  });
});
