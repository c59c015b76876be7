/** The HDFS sink when its storage cannot take writes: it holds its input instead of failing records into replays. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { type CreateOptions, ErrorCodes, type FileStream, SquallError, StorageFault, type StorageFaultKind } from '../../core/index.js';
import { HdfsSinkBolt } from './hdfs-sink-bolt.js';
import { LocalFileSystem } from './local-file-system.js';
import { RecordingCollector, at, listTree, sinkContext, sourceTuple } from './sink-test-kit.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'squall-sink-storage-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The local disk, refusing every new file with `kind`'s fault while `full`; freed by the probe after `freeAfter` refused ones. */
class RefusingDisk extends LocalFileSystem {
  probes = 0;
  constructor(
    readonly kind: StorageFaultKind,
    public full: boolean,
    readonly freeAfter = Infinity,
  ) {
    super();
  }
  #refuse(path: string): void {
    if (!this.full) return;
    if (path.endsWith('.probe') && ++this.probes > this.freeAfter) {
      this.full = false;
      return;
    }
    throw new StorageFault({ kind: this.kind, op: 'create', path, fs: 'file://', detail: 'ENOSPC: no space left on device', space: { free: 0, total: 4 << 20, of: 'disk' } });
  }
  override async create(path: string, data: Uint8Array, options?: CreateOptions): Promise<void> {
    this.#refuse(path);
    return super.create(path, data, options);
  }
  override async createStream(path: string, options?: CreateOptions): Promise<FileStream> {
    this.#refuse(path);
    return super.createStream(path, options);
  }
}

async function startSink(fs: LocalFileSystem, config: Record<string, unknown> = {}) {
  const bolt = new HdfsSinkBolt({ fileSystem: fs, root, availability: false, hive: false, timerIntervalMs: 3_600_000 });
  const collector = new RecordingCollector();
  await bolt.prepare(sinkContext({ config }), collector);
  return { bolt, collector };
}

const rec = (id: number) => ({ id, dt: at(10) });
const codeOf = (reason: unknown) => (reason as SquallError).code;

describe('HdfsSinkBolt on a full disk', () => {
  it("fails the file's tuples once with the storage fault, holds its input until a probe passes, then writes and commits", async () => {
    // Full once running, until the third probe of the hold.
    const fs = new RefusingDisk('no_space', false, 2);
    const { bolt, collector } = await startSink(fs);
    for (let i = 0; i < 3; i++) await bolt.execute(sourceTuple(rec(i), 'events', 0, i));
    fs.full = true;
    await bolt.flush();
    assert.deepEqual(collector.failed.map((f) => codeOf(f.reason)), Array(3).fill(ErrorCodes.STORAGE_FULL), 'not the records fault: the code says so to their sources');
    assert.deepEqual(collector.holds, [ErrorCodes.STORAGE_FULL]);
    assert.deepEqual(collector.errors, [], 'the hold says what is wrong, not one error per file');

    const held = bolt.execute(sourceTuple(rec(3), 'events', 0, 3));
    assert.ok(held instanceof Promise, 'the next tuple waits');
    await held;
    assert.equal(fs.probes, 3, 'it went on after the first probe that passed');
    assert.equal(collector.failed.length, 3);
    await bolt.flush();
    assert.deepEqual(collector.ackedOffsets(), [3]);
    assert.deepEqual(collector.holds, [ErrorCodes.STORAGE_FULL, undefined], 'a commit ends the hold');
    assert.deepEqual((await listTree(root)).filter((p) => p.includes('_tmp.')), [], 'no probe or temporary file is left');
    await bolt.cleanup();
  });

  it('stops the run once the disk stays full past storageDeadlineMs', async () => {
    const fs = new RefusingDisk('no_space', false);
    const { bolt, collector } = await startSink(fs, { storageDeadlineMs: 300 });
    await bolt.execute(sourceTuple(rec(0), 'events', 0, 0));
    fs.full = true;
    await bolt.flush();
    await bolt.execute(sourceTuple(rec(1), 'events', 0, 1));
    assert.equal(collector.fatal.length, 1);
    const fatal = collector.fatal[0] as SquallError;
    assert.equal(fatal.code, ErrorCodes.STORAGE_FULL);
    assert.match(fatal.message, /still failing after \d+ s \(storageDeadlineMs 300\): the storage is full: create .* \(ENOSPC: no space left on device; 0 B free of a disk of 4\.0 MiB\)/);
    await bolt.cleanup();
  });

  it('refuses an output directory it cannot write as a config error naming the path', async () => {
    const bolt = new HdfsSinkBolt({ fileSystem: new RefusingDisk('read_only', true), root, availability: false, hive: false });
    await assert.rejects(bolt.prepare(sinkContext(), new RecordingCollector()), (e: unknown) => {
      assert.equal(codeOf(e), ErrorCodes.INVALID_CONFIG);
      assert.ok((e as Error).message.startsWith(`the output directory ${root} cannot be written: the path is read-only or not permitted`));
      return true;
    });
  });
});
