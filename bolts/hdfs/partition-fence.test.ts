import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ErrorCodes, MetricRegistry, SquallError, type Tuple } from '../../core/index.js';
import { OffsetRangeFileNameFormat } from './file-name-format.js';
import { HdfsSinkBolt } from './hdfs-sink-bolt.js';
import { LocalFileSystem } from './local-file-system.js';
import { scanOutput } from './output-scan.js';
import { OutputPartitionFence, leaseDir, partitionLeasesDir } from './partition-leases.js';
import { RecordingCollector, at, listTree, sinkContext } from './sink-test-kit.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'squall-fence-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const fs = new LocalFileSystem();
const names = new OffsetRangeFileNameFormat();
const FIELDS = Object.freeze(['record', 'topic', 'partition', 'offset', 'lease']);

/** A record of source partition t/0 read under `lease`. */
function leased(offset: number, lease: string): Tuple {
  const values = [{ offset, dt: at(10) }, 't', 0, offset, lease];
  return { values, fields: FIELDS, sourceComponent: 'source', sourceStream: 'default', sourceTask: 1, get: <T>(f: string) => values[FIELDS.indexOf(f)] as T, isTick: () => false };
}

function acquired(result: Awaited<ReturnType<OutputPartitionFence['acquire']>>): string {
  assert.ok('lease' in result, `acquired, not superseded: ${JSON.stringify(result)}`);
  return result.lease;
}

async function startSink(registry = new MetricRegistry()) {
  const bolt = new HdfsSinkBolt({ fileSystem: fs, root, availability: false, hive: false, timerIntervalMs: 3_600_000, writeBufferBytes: 1 });
  const collector = new RecordingCollector();
  await bolt.prepare(sinkContext({ registry }), collector);
  return { bolt, collector, registry };
}

function counter(registry: MetricRegistry, name: string): number {
  const family = [...registry.families()].find((f) => f.name === name);
  return family === undefined ? 0 : [...family.series.values()].reduce((n, s) => n + ((s.metric as { value?: number }).value ?? 0), 0);
}

/** Offsets of committed records of t/0, with how often each appears. */
async function committedOffsets(): Promise<number[]> {
  const out: number[] = [];
  for (const path of await listTree(root)) {
    if (names.parseCommitted(path.split('/').pop()!) === undefined) continue;
    for (const line of (await readFile(join(root, path), 'utf8')).trim().split('\n')) out.push((JSON.parse(line) as { offset: number }).offset);
  }
  return out.sort((a, b) => a - b);
}

const fencedCode = (reason: unknown) => (reason instanceof SquallError ? reason.code : undefined);

describe('OutputPartitionFence', () => {
  it('acquiring fences the earlier lease: its directory is gone, and only the newer one holds', async () => {
    const fence = new OutputPartitionFence(fs, root);
    const first = acquired(await fence.acquire('t', 0, { committedOffset: undefined }));
    assert.equal(await fence.holds('t', 0, first), true);
    const second = acquired(await fence.acquire('t', 0, { committedOffset: undefined }));
    assert.ok(Number(second) > Number(first));
    assert.equal(await fence.holds('t', 0, first), false);
    assert.equal(await fence.holds('t', 0, second), true);
    // The fenced lease's directory is gone, a tombstone of its name in its place.
    assert.deepEqual((await readdir(partitionLeasesDir(root, 't', 0), { withFileTypes: true })).map((e) => `${e.name}${e.isDirectory() ? '/' : ''}`), [first, `${second}/`, `${second}.claim`]);
    await fence.release('t', 0, second);
    assert.equal(await fence.holds('t', 0, second), false);
    await fence.release('t', 0, second); // a second release finds nothing to fence
  });

  it('a fenced lease cannot come back: nothing can be created under its name, even with parents made', async () => {
    const fence = new OutputPartitionFence(fs, root);
    const first = acquired(await fence.acquire('t', 0, { committedOffset: undefined }));
    acquired(await fence.acquire('t', 0, { committedOffset: undefined }));
    await assert.rejects(fs.create(join(leaseDir(root, 't', 0, first), 'x'), Buffer.from('zombie')), 'a create that makes missing parents');
    await assert.rejects(fs.create(join(leaseDir(root, 't', 0, first), 'x'), Buffer.from('zombie'), { createParent: false }));
  });

  it('an acquisition that claims an epoch a newer one removed gives way before making its directory', async () => {
    const dir = partitionLeasesDir(root, 't', 0);
    // Epoch 8 is claimed; 7's claim was removed by that newer acquisition, and a paused writer, which
    // listed before, now claims 7 again.
    class Late extends LocalFileSystem {
      #listed = false;
      override async list(path: string) {
        if (path === dir && !this.#listed) {
          this.#listed = true;
          await fs.mkdirs(dir);
          await fs.create(join(dir, '0000000006.claim'), Buffer.from('{}'));
          const seen = await super.list(path);
          await fs.delete(join(dir, '0000000006.claim'));
          await fs.create(join(dir, '0000000008.claim'), Buffer.from('{}'));
          return seen;
        }
        return super.list(path);
      }
    }
    const result = await new OutputPartitionFence(new Late(), root).acquire('t', 0, { committedOffset: undefined });
    assert.deepEqual(result, { superseded: '0000000008' });
    assert.equal(await fs.exists(leaseDir(root, 't', 0, '0000000007')), false, 'no directory for the reused epoch');
  });

  it('acquisitions that arrive together share one scan of the output', async () => {
    let scans = 0;
    let leased = 0;
    let open!: () => void;
    const allFenced = new Promise<void>((resolve) => (open = resolve));
    // The first scan is held until every acquisition has made its lease directory: the others then
    // wait for one more scan between them (the last may need one of its own), not one each.
    class Counting extends LocalFileSystem {
      override async mkdirs(path: string) {
        await super.mkdirs(path);
        if (/\/\d{10}$/.test(path) && ++leased === 6) open();
      }
      override async list(path: string) {
        if (path === root && ++scans === 1) await allFenced;
        return super.list(path);
      }
    }
    const fence = new OutputPartitionFence(new Counting(), root);
    const results = await Promise.all(Array.from({ length: 6 }, (_, p) => fence.acquire('t', p, { committedOffset: '0' })));
    assert.ok(results.every((r) => 'lease' in r));
    assert.ok(scans >= 2 && scans <= 3, `${scans} scans for 6 acquisitions`);
  });

  it('says where to start: the first offset from the group commit on that the output does not hold', async () => {
    const dir = join(root, 'year=2024/month=01/day=15/hour=10');
    await fs.create(join(dir, names.committed({ topic: 't', partition: 0, firstOffset: 0, lastOffset: 99 }, '.json')), Buffer.from(''));
    await fs.create(join(dir, names.committed({ topic: 't', partition: 0, firstOffset: 150, lastOffset: 199, lease: '0000000003' }, '.json')), Buffer.from(''));
    const fence = new OutputPartitionFence(fs, root);
    const start = async (committedOffset: string | undefined) => {
      const r = await fence.acquire('t', 0, { committedOffset });
      assert.ok('lease' in r);
      return r.startOffset;
    };
    // No group offset: the spout's first-poll strategy decides, since offsets below the lowest
    // committed run may never have been committed.
    assert.equal(await start(undefined), undefined);
    assert.equal(await start('0'), 100);
    assert.equal(await start('50'), 100);
    assert.equal(await start('120'), 120);
    assert.equal(await start('160'), 200);
    const other = await fence.acquire('t', 1, { committedOffset: '5' });
    assert.ok('lease' in other && other.startOffset === 5);
  });
});

describe('HdfsSinkBolt under leases', () => {
  it("refuses a paused owner's commit after its partition moved, with the reason, and counts it", async () => {
    const fence = new OutputPartitionFence(fs, root);
    const a = await startSink();
    const leaseA = acquired(await fence.acquire('t', 0, { committedOffset: undefined }));
    for (let o = 0; o < 10; o++) await a.bolt.execute(leased(o, leaseA));
    await a.bolt.settled();
    // While A is paused, B is assigned the partition: it acquires it, and writes it all.
    const leaseB = acquired(await fence.acquire('t', 0, { committedOffset: undefined }));
    const b = await startSink();
    for (let o = 0; o < 10; o++) await b.bolt.execute(leased(o, leaseB));
    await b.bolt.flush();
    assert.equal(b.collector.acked.length, 10);
    // A comes back and commits what it holds.
    await a.bolt.flush();
    assert.equal(a.collector.acked.length, 0);
    assert.equal(a.collector.failed.length, 10);
    for (const f of a.collector.failed) assert.equal(fencedCode(f.reason), ErrorCodes.PARTITION_FENCED);
    assert.match(String((a.collector.failed[0]!.reason as Error).message), /t\/0 moved from lease 0000000001 .*newer owner writes these records/);
    assert.equal(counter(a.registry, 'squall_hdfs_sink_fenced_commits_total'), 1);
    assert.equal(counter(a.registry, 'squall_hdfs_sink_fenced_records_total'), 10);
    assert.equal(a.collector.errors.length, 0, 'a refusal is not reported as an error');
    assert.deepEqual(await committedOffsets(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await Promise.all([a.bolt.cleanup(), b.bolt.cleanup()]);
  });

  it('fails a tuple read under a lease older than the one its task writes under', async () => {
    const fence = new OutputPartitionFence(fs, root);
    const old = acquired(await fence.acquire('t', 0, { committedOffset: undefined }));
    const current = acquired(await fence.acquire('t', 0, { committedOffset: undefined }));
    const s = await startSink();
    await s.bolt.execute(leased(0, current));
    await s.bolt.execute(leased(1, old));
    assert.equal(s.collector.failed.length, 1);
    assert.equal(fencedCode(s.collector.failed[0]!.reason), ErrorCodes.PARTITION_FENCED);
    await s.bolt.flush();
    assert.deepEqual(await committedOffsets(), [0]);
    await s.bolt.cleanup();
  });

  it('under a new lease, gives up the old lease’s open files and skips what others committed meanwhile', async () => {
    const fence = new OutputPartitionFence(fs, root);
    const s = await startSink();
    const first = acquired(await fence.acquire('t', 0, { committedOffset: undefined }));
    for (let o = 0; o < 5; o++) await s.bolt.execute(leased(o, first));
    await s.bolt.settled();
    // The partition went to another writer, which committed 0..9, then came back to this one.
    const other = await startSink();
    const second = acquired(await fence.acquire('t', 0, { committedOffset: undefined }));
    for (let o = 0; o < 10; o++) await other.bolt.execute(leased(o, second));
    await other.bolt.flush();
    const third = acquired(await fence.acquire('t', 0, { committedOffset: undefined }));
    await s.bolt.execute(leased(3, third)); // a replay of what the other writer committed
    await s.bolt.execute(leased(10, third));
    await s.bolt.flush();
    assert.equal(s.collector.failed.length, 5, "the old lease's tuples");
    for (const f of s.collector.failed) assert.equal(fencedCode(f.reason), ErrorCodes.PARTITION_FENCED);
    assert.deepEqual(s.collector.ackedOffsets(), [3, 10]);
    assert.deepEqual(await committedOffsets(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const scan = await scanOutput(fs, root);
    assert.equal(scan.temporary.length, 0);
    await Promise.all([s.bolt.cleanup(), other.bolt.cleanup()]);
  });
});
