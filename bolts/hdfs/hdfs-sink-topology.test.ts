import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { TopologyRuntime, fields, shuffle, topology } from '../../core/index.js';
import { ListSpout, WeakObjectSpout, collectInto, newLedger } from '../../test/fixtures/components.js';
import { collectGarbage, deferred } from '../../test/fixtures/harness.js';
import { baseName } from './file-system.js';
import { OffsetRangeFileNameFormat } from './file-name-format.js';
import { HDFS_SINK_OUTPUTS, HdfsSinkBolt } from './hdfs-sink-bolt.js';
import { LocalFileSystem } from './local-file-system.js';
import { NdjsonFormat } from './ndjson-format.js';
import type { RecordWriter } from './record-format.js';
import { at, listTree } from './sink-test-kit.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'squall-topology-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Knows which offsets are in committed files at any moment: it sees every rename. */
class WatchedFileSystem extends LocalFileSystem {
  readonly committed = new Set<string>();
  readonly #names = new OffsetRangeFileNameFormat();
  override async rename(from: string, to: string): Promise<void> {
    await super.rename(from, to);
    const source = this.#names.parseCommitted(baseName(to));
    if (source === undefined) return;
    for (let o = source.firstOffset; o <= source.lastOffset; o++) this.committed.add(`${source.topic}/${source.partition}@${o}`);
  }
}

/** Renames wait for `gate`: files can be written but not committed. */
class GatedFileSystem extends LocalFileSystem {
  readonly gate = deferred();
  override async rename(from: string, to: string): Promise<void> {
    await this.gate.promise;
    await super.rename(from, to);
  }
}

describe('HdfsSinkBolt in a running topology', () => {
  it('lets go of each record once it is written, and still acks its tuple once, after the commit', async () => {
    const fs = new GatedFileSystem();
    const spout = new WeakObjectSpout(50, (offset) => {
      const record = { id: offset, dt: at(10, offset % 60), text: `record ${offset}` };
      return { object: record, values: [record, 'events', 0, offset] };
    });
    const allWritten = deferred();
    let written = 0;
    const format = new NdjsonFormat();
    const counting = {
      extension: format.extension,
      name: format.name,
      open(): RecordWriter {
        const writer = format.open();
        const write = writer.write.bind(writer);
        writer.write = (record) => {
          write(record);
          if (++written === spout.count) allWritten.resolve();
        };
        return writer;
      },
    };
    const t = topology('hdfs-sink-release', { maxSpoutPending: 100, messageTimeoutMs: 20_000 })
      .spout('source', { create: () => spout, outputs: { default: ['record', 'topic', 'partition', 'offset'] } })
      .bolt('hdfs', {
        create: () => new HdfsSinkBolt({ fileSystem: fs, root, format: counting, availability: false, hive: false }),
        inputs: [{ from: 'source', grouping: fields('partition') }],
        outputs: HDFS_SINK_OUTPUTS,
      })
      .build();
    const runtime = new TopologyRuntime({ topology: t });
    await runtime.start();
    try {
      await allWritten.promise;
      await collectGarbage();
      assert.deepEqual(spout.alive(), [], 'no written record is kept while its file waits to commit');
      assert.deepEqual(spout.acked, [], 'nothing is acked before the commit');
    } finally {
      fs.gate.resolve();
    }
    await runtime.completion;
    await runtime.stop();
    assert.deepEqual([...spout.acked].sort((a, b) => (a as number) - (b as number)), Array.from({ length: spout.count }, (_, i) => i), 'each acked once');
    const files = (await listTree(root)).filter((p) => !baseName(p).startsWith('_'));
    const lines = (await Promise.all(files.map((p) => readFile(join(root, p), 'utf8')))).join('').trim().split('\n');
    assert.deepEqual(
      lines.map((l) => (JSON.parse(l) as { id: number }).id).sort((a, b) => a - b),
      Array.from({ length: spout.count }, (_, i) => i),
      'every record is in the committed file',
    );
  });

  it('acks each spout tuple only after the file holding it is renamed, and routes bad records to errors', async () => {
    const fs = new WatchedFileSystem();
    const ledger = newLedger();
    const ackedBeforeCommit: unknown[] = [];
    const rows: unknown[][] = [];
    for (let i = 0; i < 200; i++) {
      // Four source partitions with their own offsets; event time moves through hours 10 to 12.
      const dt = i % 50 === 7 ? 'not a time' : at(10 + (Math.floor(i / 20) % 3), i % 60);
      rows.push([{ id: i, dt }, 'events', i % 4, Math.floor(i / 4)]);
    }
    class CheckingSpout extends ListSpout {
      override ack(msgId: unknown): void {
        const row = rows[msgId as number]!;
        const bad = (row[0] as { dt: string }).dt === 'not a time';
        if (!bad && !fs.committed.has(`events/${String(row[2])}@${String(row[3])}`)) ackedBeforeCommit.push(msgId);
        super.ack(msgId);
      }
    }
    const errors: { task: number; values: unknown[]; source: string }[] = [];
    const t = topology('hdfs-sink-test', { maxSpoutPending: 50, messageTimeoutMs: 20_000 })
      .spout('source', { create: () => new CheckingSpout(rows, ledger), outputs: { default: ['record', 'topic', 'partition', 'offset'] } })
      .bolt('hdfs', {
        create: () => new HdfsSinkBolt({ fileSystem: fs, root, rotation: { maxRecords: 7 }, availability: false, hive: false }),
        parallelism: 2,
        inputs: [{ from: 'source', grouping: fields('partition') }],
        outputs: HDFS_SINK_OUTPUTS,
      })
      .bolt('errors', { create: collectInto(errors), inputs: [{ from: 'hdfs', stream: 'errors', grouping: shuffle() }] })
      .build();
    const runtime = new TopologyRuntime({ topology: t });
    await runtime.start();
    await runtime.completion;
    await runtime.stop();

    assert.deepEqual(ackedBeforeCommit, [], 'no tuple is acked before its file is committed');
    assert.equal(ledger.acked.length, 200);
    assert.equal(ledger.failed.length, 0);
    assert.deepEqual(errors.map((e) => e.values[2]).sort(), ['events/1@39', 'events/1@14', 'events/3@1', 'events/3@26'].sort());
    const tree = await listTree(root);
    assert.deepEqual(tree.filter((p) => baseName(p).startsWith('_tmp.')), [], 'no temporary file left');
    let lines = 0;
    for (const p of tree.filter((f) => !baseName(f).startsWith('_'))) lines += (await readFile(join(root, p), 'utf8')).trim().split('\n').length;
    assert.equal(lines, 196);
  });
});
