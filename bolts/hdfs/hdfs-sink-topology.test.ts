import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { TopologyRuntime, fields, shuffle, topology } from '../../core/index.js';
import { ListSpout, collectInto, newLedger } from '../../test/fixtures/components.js';
import { baseName } from './file-system.js';
import { OffsetRangeFileNameFormat } from './file-name-format.js';
import { HDFS_SINK_OUTPUTS, HdfsSinkBolt } from './hdfs-sink-bolt.js';
import { LocalFileSystem } from './local-file-system.js';
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

describe('HdfsSinkBolt in a running topology', () => {
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
