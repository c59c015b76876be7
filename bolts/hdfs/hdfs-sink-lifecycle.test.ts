import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { CreateOptions, FileStream } from './file-system.js';
import { HdfsSinkBolt } from './hdfs-sink-bolt.js';
import { LocalFileSystem } from './local-file-system.js';
import { RecordingCollector, at, listTree, sinkContext, sourceTuple } from './sink-test-kit.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'squall-sink-lifecycle-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A local filesystem whose renames wait until `open()` is called (then go on, or fail): a commit stuck in HDFS. */
class StuckRenames extends LocalFileSystem {
  constructor(readonly outcome: 'rename' | 'fail') {
    super();
  }

  readonly finished: Promise<void>[] = [];
  #open!: () => void;
  readonly #gate = new Promise<void>((resolve) => (this.#open = resolve));
  #arrived!: () => void;
  /** Resolves once a rename is waiting. */
  readonly arrived = new Promise<void>((resolve) => (this.#arrived = resolve));

  override rename(from: string, to: string): Promise<void> {
    this.#arrived();
    const done = this.#gate.then(() => (this.outcome === 'rename' ? super.rename(from, to) : Promise.reject(new Error('rename failed late'))));
    this.finished.push(done.catch(() => {}));
    return done;
  }

  open(): void {
    this.#open();
  }
}

describe('HdfsSinkBolt: close deadline', () => {
  /** A sink with 3 records in a file, closed (100 ms deadline) while the file's rename is stuck. */
  async function closeWhileRenameStuck(fs: StuckRenames): Promise<{ bolt: HdfsSinkBolt; collector: RecordingCollector }> {
    const bolt = new HdfsSinkBolt({ fileSystem: fs, root, availability: false, hive: false, timerIntervalMs: 3_600_000, closeTimeoutMs: 100 });
    const collector = new RecordingCollector();
    await bolt.prepare(sinkContext(), collector);
    for (let i = 0; i < 3; i++) await bolt.execute(sourceTuple({ id: i, dt: at(10) }, 'events', 0, i));
    const closing = bolt.cleanup();
    await fs.arrived;
    // The rename never ends on its own: only the deadline can end the close.
    await closing;
    return { bolt, collector };
  }

  it('closes by its deadline while a commit hangs, and a commit that ends later acks nothing', async () => {
    const fs = new StuckRenames('rename');
    const { bolt, collector } = await closeWhileRenameStuck(fs);
    assert.equal(bolt.state, 'closed');
    assert.equal(collector.acked.length, 0, 'tuples of a file whose commit did not end are not acked');
    assert.equal(collector.failed.length, 0, 'nor failed: the engine replays them after their timeout');

    // The stuck rename ends after the close: the file is committed, yet the sink, closed, acks nothing.
    fs.open();
    await Promise.all(fs.finished);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(collector.acked.length, 0, 'nothing is acked after the close deadline');
    const committed = (await listTree(root)).filter((p) => p.includes('/part-'));
    assert.equal(committed.length, 1, 'the file itself reached its committed name: a replay of its offsets is skipped');
  });

  it('a commit that fails after the close deadline fails nothing either', async () => {
    const fs = new StuckRenames('fail');
    const { collector } = await closeWhileRenameStuck(fs);
    fs.open();
    await Promise.all(fs.finished);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual([collector.acked.length, collector.failed.length, collector.errors.length], [0, 0, 0]);
  });

  it('a chunk write that hangs until the close aborts it fails nothing (encoded input)', async () => {
    /** Streams whose writes never end until aborted, when they reject: a DataNode that stopped answering. */
    class HangingWrites extends LocalFileSystem {
      writes = 0;
      #wrote!: () => void;
      readonly wrote = new Promise<void>((resolve) => (this.#wrote = resolve));
      override createStream(_path: string, _options?: CreateOptions): Promise<FileStream> {
        let abort: (() => void) | undefined;
        return Promise.resolve({
          write: () => {
            this.writes++;
            this.#wrote();
            return new Promise<void>((_resolve, reject) => (abort = () => reject(new Error('aborted'))));
          },
          close: () => Promise.resolve(),
          abort: () => abort?.(),
        });
      }
    }
    const fs = new HangingWrites();
    const bolt = new HdfsSinkBolt({ fileSystem: fs, root, availability: false, hive: false, timerIntervalMs: 3_600_000, closeTimeoutMs: 100, input: 'json', threads: 0, batchRecords: 2, writeBufferBytes: 1 });
    const collector = new RecordingCollector();
    await bolt.prepare(sinkContext(), collector);
    for (let i = 0; i < 2; i++) await bolt.execute(sourceTuple(JSON.stringify({ id: i, dt: at(10) }), 'events', 0, i));
    await fs.wrote;
    await bolt.cleanup();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(fs.writes, 1);
    assert.deepEqual([collector.acked.length, collector.failed.length, collector.errors.length], [0, 0, 0]);
  });
});
