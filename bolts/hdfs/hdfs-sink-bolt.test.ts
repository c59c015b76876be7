import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { MetricRegistry, SquallError } from '../../core/index.js';
import { HdfsErrorCodes, hdfsError } from './errors.js';
import { HdfsSinkBolt } from './hdfs-sink-bolt.js';
import type { FileStream } from './file-system.js';
import { LocalFileSystem } from './local-file-system.js';
import type { HdfsSinkOptions } from './sink-options.js';
import { waitFor } from '../../test/support/wait.js';
import { deferred } from '../../test/fixtures/harness.js';
import { RecordingCollector, at, listTree, sinkContext, sourceTuple, tickTuple } from './sink-test-kit.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'squall-sink-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function startSink(options: Partial<HdfsSinkOptions> = {}, context = sinkContext()): Promise<{ bolt: HdfsSinkBolt; collector: RecordingCollector }> {
  const bolt = new HdfsSinkBolt({ fileSystem: new LocalFileSystem(), root, availability: false, hive: false, timerIntervalMs: 3_600_000, ...options });
  const collector = new RecordingCollector();
  await bolt.prepare(context, collector);
  return { bolt, collector };
}

const rec = (id: number, dt = at(10)) => ({ id, dt });
const committedFiles = async () => (await listTree(root)).filter((p) => !p.split('/').pop()!.startsWith('_'));
const tempFiles = async () => (await listTree(root)).filter((p) => p.split('/').pop()!.startsWith('_tmp.'));

describe('HdfsSinkBolt: acks and commits', () => {
  it('acks tuples only once the file holding them is committed by a rename', async () => {
    const { bolt, collector } = await startSink({ writeBufferBytes: 1 });
    for (let i = 0; i < 5; i++) await bolt.execute(sourceTuple(rec(i), 'events', 0, i));
    await bolt.settled();
    assert.equal(collector.acked.length, 0, 'nothing acked before the commit');
    assert.deepEqual(await committedFiles(), []);
    assert.equal((await tempFiles()).length, 1, 'the records are in a temporary file');
    await bolt.flush();
    assert.deepEqual(collector.ackedOffsets(), [0, 1, 2, 3, 4]);
    assert.deepEqual(await committedFiles(), ['year=2024/month=01/day=15/hour=10/part-events-0-00000000000000000000-00000000000000000004.ndjson']);
    assert.deepEqual(await tempFiles(), [], 'no temporary file is left after the commit');
    const lines = (await readFile(join(root, (await committedFiles())[0]!), 'utf8')).trim().split('\n');
    assert.deepEqual(lines.map((l) => (JSON.parse(l) as { id: number }).id), [0, 1, 2, 3, 4]);
    await bolt.cleanup();
  });

  it('records that alternate between hours and sources each land in the file of their hour and source', async () => {
    const { bolt, collector } = await startSink();
    const hours = [10, 11, 10, 10, 11, 10];
    for (let i = 0; i < hours.length; i++) {
      await bolt.execute(sourceTuple(rec(i, at(hours[i]!)), 'events', 0, i));
      await bolt.execute(sourceTuple(rec(100 + i, at(hours[i]!)), 'events', 1, i));
    }
    await bolt.flush();
    const files = await committedFiles();
    assert.deepEqual(files, [
      'year=2024/month=01/day=15/hour=10/part-events-0-00000000000000000000-00000000000000000005.ndjson',
      'year=2024/month=01/day=15/hour=10/part-events-1-00000000000000000000-00000000000000000005.ndjson',
      'year=2024/month=01/day=15/hour=11/part-events-0-00000000000000000001-00000000000000000004.ndjson',
      'year=2024/month=01/day=15/hour=11/part-events-1-00000000000000000001-00000000000000000004.ndjson',
    ]);
    const ids = async (file: string) => (await readFile(join(root, file), 'utf8')).trim().split('\n').map((l) => (JSON.parse(l) as { id: number }).id);
    assert.deepEqual(await Promise.all(files.map(ids)), [[0, 2, 3, 5], [100, 102, 103, 105], [1, 4], [101, 104]]);
    assert.equal(collector.acked.length, 12);
    await bolt.cleanup();
  });

  it('sends records without a readable event time to the errors stream with the reason, and acks them', async () => {
    const { bolt, collector } = await startSink();
    const bad = { id: 1, dt: '-' };
    await bolt.execute(sourceTuple(bad, 'events', 2, 41));
    await bolt.execute(sourceTuple({ id: 2 }, 'events', 2, 42));
    await bolt.execute(sourceTuple(rec(3), 'events', 2, 43));
    const errors = collector.onStream('errors');
    assert.deepEqual(errors[0], [bad, "event time field 'dt' is \"-\": not an ISO 8601 time or whole epoch milliseconds", 'events/2@41']);
    assert.deepEqual(errors[1], [{ id: 2 }, "event time field 'dt' is missing", 'events/2@42']);
    assert.equal(collector.emitted[0]!.anchors, collector.acked[0], 'the error tuple is anchored to its input');
    assert.deepEqual(collector.ackedOffsets(), [41, 42]);
    await bolt.flush();
    assert.deepEqual(collector.ackedOffsets(), [41, 42, 43]);
    assert.equal((await committedFiles()).length, 1);
    await bolt.cleanup();
  });

  it('sends unusable coordinates and non-object records to the errors stream', async () => {
    const { bolt, collector } = await startSink();
    await bolt.execute(sourceTuple(rec(1), 'events', 0, 'x7'));
    await bolt.execute(sourceTuple('text', 'events', 0, 8));
    await bolt.execute(sourceTuple(rec(2), '', 0, 9));
    assert.deepEqual(
      collector.onStream('errors').map((e) => e[1]),
      ["field 'offset' is x7: not a whole number", "field 'record' is string: not a record object", "field 'topic' is \"\": not a topic name"],
    );
    assert.equal(collector.acked.length, 3);
    await bolt.cleanup();
  });

  it('accepts offsets as decimal strings and reads renamed input fields', async () => {
    const fields = ['value', 'src', 'part', 'pos'];
    const { bolt, collector } = await startSink({ fields: { record: 'value', topic: 'src', partition: 'part', offset: 'pos' } });
    await bolt.execute(sourceTuple(rec(1), 'events', 1, '12345678901', fields));
    await bolt.flush();
    assert.equal(collector.acked.length, 1);
    assert.match((await committedFiles())[0]!, /part-events-1-00000000012345678901-00000000012345678901\.ndjson$/);
    await assert.rejects(
      async () => bolt.execute(sourceTuple(rec(1), 'events', 1, 1)),
      (e: unknown) => e instanceof SquallError && e.code === HdfsErrorCodes.INVALID_OPTIONS && /without 'value', 'src', 'part', 'pos'/.test(e.message),
    );
    await bolt.cleanup();
  });

  it('refuses to start without an errors stream, or with a rotation age past the message timeout', async () => {
    await assert.rejects(startSink({}, sinkContext({ outputs: {} })), (e: unknown) => e instanceof SquallError && /needs an 'errors' stream/.test(e.message));
    await assert.rejects(
      startSink({ rotation: { maxAgeMs: 60_000 } }),
      (e: unknown) => e instanceof SquallError && e.code === HdfsErrorCodes.INVALID_OPTIONS && /below messageTimeoutMs \(30000 ms\)/.test(e.message),
    );
  });
});

describe('HdfsSinkBolt: rotation', () => {
  it('rotates by record count', async () => {
    const { bolt, collector } = await startSink({ rotation: { maxRecords: 10 } });
    for (let i = 0; i < 25; i++) await bolt.execute(sourceTuple(rec(i), 'events', 0, i));
    await bolt.settled();
    assert.equal(collector.acked.length, 20);
    assert.equal((await committedFiles()).length, 2);
    await bolt.flush();
    assert.deepEqual(
      (await committedFiles()).map((p) => p.split('/').pop()),
      ['part-events-0-00000000000000000000-00000000000000000009.ndjson', 'part-events-0-00000000000000000010-00000000000000000019.ndjson', 'part-events-0-00000000000000000020-00000000000000000024.ndjson'],
    );
    await bolt.cleanup();
  });

  it('rotates by size', async () => {
    const { bolt, collector } = await startSink({ rotation: { maxBytes: 200 } });
    const big = (i: number) => ({ id: i, dt: at(10), pad: 'p'.repeat(80) });
    for (let i = 0; i < 6; i++) await bolt.execute(sourceTuple(big(i), 'events', 0, i));
    await bolt.settled();
    // Each line is just over 100 bytes: every second record fills a file.
    assert.equal(collector.acked.length, 6);
    assert.equal((await committedFiles()).length, 3);
    await bolt.cleanup();
  });

  it('rotates by age on tick tuples', async () => {
    const { bolt, collector } = await startSink({ rotation: { maxAgeMs: 30 } });
    for (let i = 0; i < 3; i++) await bolt.execute(sourceTuple(rec(i), 'events', 0, i));
    await bolt.execute(tickTuple());
    assert.equal(collector.acked.length, 0, 'not yet 30 ms old');
    await waitFor(
      async () => {
        await bolt.execute(tickTuple());
        return collector.acked.length === 3;
      },
      { intervalMs: 5, message: 'a tick to commit the file by age' },
    );
    assert.equal((await committedFiles()).length, 1);
    await bolt.cleanup();
  });

  it('rotates by age on its own timer', async () => {
    const { bolt, collector } = await startSink({ rotation: { maxAgeMs: 40 }, timerIntervalMs: 10 });
    await bolt.execute(sourceTuple(rec(1), 'events', 0, 1));
    await waitFor(() => collector.acked.length === 1, { intervalMs: 5, message: 'the timer to commit the file by age' });
    assert.equal((await committedFiles()).length, 1);
    await bolt.cleanup();
  });

  it('commits every open file when it holds maxHeldTuples, releasing the spouts', async () => {
    const { bolt, collector } = await startSink({ maxHeldTuples: 4 });
    for (let i = 0; i < 4; i++) await bolt.execute(sourceTuple(rec(i, at(10 + (i % 2))), 'events', 0, i));
    await bolt.settled();
    assert.equal(collector.acked.length, 4);
    assert.equal((await committedFiles()).length, 2);
    await bolt.cleanup();
  });

  it('writes one file per hour and source partition', async () => {
    const { bolt } = await startSink();
    await bolt.execute(sourceTuple(rec(1, at(10, 59, 59, 999)), 'events', 0, 1));
    await bolt.execute(sourceTuple(rec(2, at(11)), 'events', 0, 2));
    await bolt.execute(sourceTuple(rec(3, at(10, 5)), 'events', 1, 7));
    await bolt.flush();
    assert.deepEqual(await committedFiles(), [
      'year=2024/month=01/day=15/hour=10/part-events-0-00000000000000000001-00000000000000000001.ndjson',
      'year=2024/month=01/day=15/hour=10/part-events-1-00000000000000000007-00000000000000000007.ndjson',
      'year=2024/month=01/day=15/hour=11/part-events-0-00000000000000000002-00000000000000000002.ndjson',
    ]);
    await bolt.cleanup();
  });
});

/** A filesystem whose first stream write waits for `gate`, then succeeds or fails as the gate says. */
class GatedFirstWrite extends LocalFileSystem {
  readonly gate = deferred<Error | undefined>();
  readonly firstWriteStarted = deferred();
  #first = true;
  override async createStream(path: string, options?: { overwrite?: boolean }): Promise<FileStream> {
    const stream = await super.createStream(path, options);
    const write = stream.write.bind(stream);
    stream.write = async (data) => {
      if (this.#first) {
        this.#first = false;
        this.firstWriteStarted.resolve();
        const failure = await this.gate.promise;
        if (failure !== undefined) throw failure;
      }
      return write(data);
    };
    return stream;
  }
}

describe('HdfsSinkBolt: chunk writes', () => {
  it('takes the next records while a chunk is being written, and commits them all in order', async () => {
    const fs = new GatedFirstWrite();
    const { bolt, collector } = await startSink({ fileSystem: fs, writeBufferBytes: 1 });
    assert.equal(bolt.execute(sourceTuple(rec(0), 'events', 0, 0)), undefined);
    await fs.firstWriteStarted.promise;
    for (let i = 1; i < 5; i++) assert.equal(bolt.execute(sourceTuple(rec(i), 'events', 0, i)), undefined, `record ${i} does not wait for the write`);
    fs.gate.resolve(undefined);
    await bolt.flush();
    assert.deepEqual(collector.ackedOffsets(), [0, 1, 2, 3, 4]);
    const lines = (await readFile(join(root, (await committedFiles())[0]!), 'utf8')).trim().split('\n');
    assert.deepEqual(lines.map((l) => (JSON.parse(l) as { id: number }).id), [0, 1, 2, 3, 4]);
    await bolt.cleanup();
  });

  it('gives up on a file whose chunk write failed: every tuple it holds by then fails once, and later records go to a new file', async () => {
    const fs = new GatedFirstWrite();
    const { bolt, collector } = await startSink({ fileSystem: fs, writeBufferBytes: 1 });
    for (let i = 0; i < 3; i++) await bolt.execute(sourceTuple(rec(i), 'events', 0, i));
    await fs.firstWriteStarted.promise;
    fs.gate.resolve(hdfsError(HdfsErrorCodes.UNAVAILABLE, 'DataNode went away', { retriable: true }));
    await waitFor(() => collector.failed.length === 3, { intervalMs: 5, message: 'the tuples of the failed file to fail' });
    assert.deepEqual(collector.failed.map((f) => Number(f.tuple.values[3])).sort(), [0, 1, 2]);
    assert.match((collector.failed[0]!.reason as SquallError).message, /could not write .*_tmp\..*: DataNode went away/);
    await bolt.execute(sourceTuple(rec(3), 'events', 0, 3));
    await bolt.flush();
    assert.deepEqual(collector.ackedOffsets(), [3]);
    assert.equal(collector.failed.length, 3, 'nothing fails twice');
    await waitFor(async () => (await tempFiles()).length === 0, { intervalMs: 5, message: 'the failed temporary file to be removed' });
    await bolt.cleanup();
  });
});

/** A filesystem whose renames fail until `healthy` is set. */
class FlakyRenames extends LocalFileSystem {
  healthy = false;
  override async rename(from: string, to: string): Promise<void> {
    if (!this.healthy) throw hdfsError(HdfsErrorCodes.UNAVAILABLE, 'RENAME failed after 8 attempts: connection refused', { retriable: true });
    return super.rename(from, to);
  }
}

/**
 * HDFS going down during a commit: creating the offsets manifest leaves it empty and fails, as a
 * restarting NameNode does; while `down`, deletes fail too when `deletesFail` is set.
 */
class ManifestCreateFails extends LocalFileSystem {
  down = true;
  deletesFail = false;
  override async create(path: string, data: Uint8Array, options?: Parameters<LocalFileSystem['create']>[2]): Promise<void> {
    if (this.down && /\/_tmp\.[^/]*\.json$/.test(path)) {
      await super.create(path, new Uint8Array(0), options);
      throw hdfsError(HdfsErrorCodes.UNAVAILABLE, 'CREATE failed after 8 attempts: connection refused', { retriable: true });
    }
    return super.create(path, data, options);
  }
  override async delete(path: string, options?: Parameters<LocalFileSystem['delete']>[1]): Promise<boolean> {
    if (this.down && this.deletesFail) throw hdfsError(HdfsErrorCodes.UNAVAILABLE, 'DELETE failed: connection refused', { retriable: true });
    return super.delete(path, options);
  }
}

describe('HdfsSinkBolt: a commit that fails half way leaves no temporary file', () => {
  // Offsets with gaps: the commit writes an offsets manifest before the data.
  const GAPPED = [0, 2, 5];

  it('removes the empty manifest a failed create left, as soon as the commit fails', async () => {
    const fs = new ManifestCreateFails();
    const { bolt, collector } = await startSink({ fileSystem: fs });
    for (const i of GAPPED) await bolt.execute(sourceTuple(rec(i), 'events', 0, i));
    await bolt.flush();
    assert.equal(collector.failed.length, 3, 'the commit failed');
    await waitFor(async () => (await tempFiles()).length === 0, { intervalMs: 5, message: 'no _tmp file left, manifest included' });
    await bolt.cleanup();
  });

  it('removes it on the next commit when the storage was still down to delete it', async () => {
    const fs = new ManifestCreateFails();
    const { bolt, collector } = await startSink({ fileSystem: fs });
    fs.deletesFail = true;
    for (const i of GAPPED) await bolt.execute(sourceTuple(rec(i), 'events', 0, i));
    await bolt.flush();
    assert.equal(collector.failed.length, 3, 'the commit failed');
    await waitFor(async () => (await tempFiles()).some((p) => p.endsWith('.json')), { intervalMs: 5, message: 'the manifest stays while HDFS is down' });
    fs.down = false;
    for (const i of GAPPED) await bolt.execute(sourceTuple(rec(i), 'events', 0, i));
    await bolt.flush();
    assert.deepEqual(collector.ackedOffsets(), GAPPED, 'the replay is committed');
    assert.deepEqual(await tempFiles(), [], 'and the leftover manifest is gone');
    await bolt.cleanup();
  });
});

describe('HdfsSinkBolt: failures and shutdown', () => {
  it('fails the tuples of a file it cannot commit, with the reason, and removes the temporary file', async () => {
    const fs = new FlakyRenames();
    const registry = new MetricRegistry();
    const { bolt, collector } = await startSink({ fileSystem: fs }, sinkContext({ registry }));
    for (let i = 0; i < 3; i++) await bolt.execute(sourceTuple(rec(i), 'events', 0, i));
    await bolt.flush();
    assert.equal(collector.acked.length, 0);
    assert.equal(collector.failed.length, 3);
    const reason = collector.failed[0]!.reason as SquallError;
    assert.equal(reason.code, HdfsErrorCodes.COMMIT_FAILED);
    assert.equal(reason.retriable, true);
    assert.match(reason.message, /could not commit .*_tmp\..* on file:\/\/: RENAME failed after 8 attempts/);
    await waitFor(async () => (await tempFiles()).length === 0, { intervalMs: 5, message: 'the temporary file to be removed' });
    // The replay succeeds once the filesystem is back.
    fs.healthy = true;
    for (let i = 0; i < 3; i++) await bolt.execute(sourceTuple(rec(i), 'events', 0, i));
    await bolt.flush();
    assert.deepEqual(collector.ackedOffsets(), [0, 1, 2]);
    const errors = [...registry.families()].find((f) => f.name === 'squall_hdfs_sink_errors_total')!;
    // Every reason is registered at zero; only commit_failed counted.
    assert.deepEqual([...errors.series.values()].filter((s) => (s.metric as { value: number }).value > 0).map((s) => s.labels.reason), ['commit_failed']);
    await bolt.cleanup();
  });

  it('closes within closeTimeoutMs when the filesystem hangs, and close is idempotent', async () => {
    class Hanging extends LocalFileSystem {
      // Hangs once running: the probe that prepare writes to check the output is writable goes through.
      override create(path: string, data: Uint8Array): Promise<void> {
        return path.endsWith('.probe') ? super.create(path, data) : new Promise(() => {});
      }
      override createStream(): Promise<never> {
        return new Promise(() => {});
      }
    }
    const { bolt } = await startSink({ fileSystem: () => new Hanging(), closeTimeoutMs: 100 });
    await bolt.execute(sourceTuple(rec(1), 'events', 0, 1));
    const started = performance.now();
    const first = bolt.cleanup();
    assert.equal(bolt.cleanup(), first);
    await first;
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 90 && elapsed < 2000, `closed in ${elapsed} ms`);
    assert.equal(bolt.state, 'closed');
  });

  it('counts records written, files and bytes committed, and commit latency', async () => {
    const registry = new MetricRegistry();
    const { bolt } = await startSink({}, sinkContext({ registry }));
    for (let i = 0; i < 4; i++) await bolt.execute(sourceTuple(rec(i), 'events', 0, i));
    await bolt.flush();
    const value = (name: string) => {
      const family = [...registry.families()].find((f) => f.name === name)!;
      const m = [...family.series.values()][0]!.metric as { value?: number; count?: number };
      return m.value ?? m.count;
    };
    assert.equal(value('squall_hdfs_sink_records_written_total'), 4);
    assert.equal(value('squall_hdfs_sink_files_committed_total'), 1);
    assert.equal(value('squall_hdfs_sink_bytes_committed_total'), (await readFile(join(root, (await committedFiles())[0]!))).length);
    assert.equal(value('squall_hdfs_sink_commit_seconds'), 1);
    assert.equal(value('squall_hdfs_sink_held_tuples'), 0);
    await bolt.cleanup();
  });
});

