import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type CreateOptions, ErrorCodes, type FileSystem, shuffle, StorageFault, topology } from '../../core/index.js';
import { ListSpout, newLedger, type SpoutLedger } from '../../test/fixtures/components.js';
import { startRuntime } from '../../test/fixtures/harness.js';
import { LocalFileSystem } from '../hdfs/index.js';
import { NdjsonOutputBolt } from './ndjson-output-bolt.js';

test('writes committed NDJSON files, acks after the rename, and removes its own leftovers of a crash', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'squall-ndjson-out-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'errors');
  mkdirSync(out);
  const fs = new LocalFileSystem();
  const definition = topology('ndjson-out', { maxSpoutPending: 10 })
    .spout('rows', { create: () => new ListSpout(Array.from({ length: 25 }, (_, i) => [i])), outputs: { default: ['n'] } })
    .bolt('out', { create: () => new NdjsonOutputBolt({ fs: () => fs, dir: out, name: 'errors', toObject: (tuple) => ({ n: tuple.get('n') }) }), inputs: [{ from: 'rows', grouping: shuffle() }] })
    .build();
  // What a killed run of the same task (id 1: task ids follow sorted component ids, and 'out' sorts before 'rows') and of another task left behind.
  writeFileSync(join(out, '_tmp.errors-1795000000000-1-7.ndjson'), '{"n":"lost"}\n');
  writeFileSync(join(out, '_tmp.errors-1795000000000-9-1.ndjson'), '{"n":"other task"}\n');

  const runtime = await startRuntime(t, definition);
  await runtime.completion;
  assert.equal(runtime.stats().components.rows!.acked, 25);
  const names = readdirSync(out).sort();
  assert.deepEqual(names.filter((n) => n.startsWith('_tmp.')), ['_tmp.errors-1795000000000-9-1.ndjson'], "only this task's leftover is removed");
  const lines = names.filter((n) => /^errors-\d+-1-\d+\.ndjson$/.test(n)).flatMap((n) => readFileSync(join(out, n), 'utf8').split('\n').filter(Boolean));
  assert.deepEqual(lines.map((l) => (JSON.parse(l) as { n: number }).n).sort((a, b) => a - b), Array.from({ length: 25 }, (_, i) => i));
});

/** The local disk, full while `full` says so: every create fails with ENOSPC's storage fault. */
class FullDisk extends LocalFileSystem {
  creates = 0;
  constructor(readonly full: (attempt: number) => boolean) {
    super();
  }
  override async create(path: string, data: Uint8Array, options?: CreateOptions): Promise<void> {
    if (this.full(++this.creates)) throw new StorageFault({ kind: 'no_space', op: 'create', path, fs: 'file://', detail: 'ENOSPC: no space left on device' });
    return super.create(path, data, options);
  }
}

function fullDiskTopology(dir: string, fs: FileSystem, ledger: SpoutLedger) {
  return topology('ndjson-full', { maxSpoutPending: 100, messageTimeoutMs: 300 })
    .spout('rows', { create: () => new ListSpout(Array.from({ length: 25 }, (_, i) => [i]), ledger), outputs: { default: ['n'] } })
    .bolt('out', { create: () => new NdjsonOutputBolt({ fs: () => fs, dir, name: 'errors', toObject: (tuple) => ({ n: tuple.get('n') }) }), inputs: [{ from: 'rows', grouping: shuffle() }] })
    .build();
}

test('a full disk holds the input (no tuple failed, timeouts paused) and every record is written once the space is back', { timeout: 30_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'squall-ndjson-full-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // Full for three attempts: the backoff between them (at least 0.9 s) outlasts messageTimeoutMs (300 ms) several times.
  const fs = new FullDisk((attempt) => attempt <= 3);
  const ledger = newLedger();
  const runtime = await startRuntime(t, fullDiskTopology(dir, fs, ledger));
  await runtime.completion;
  assert.ok(fs.creates >= 4);
  assert.deepEqual(ledger.failed, [], 'nothing failed into a replay');
  assert.equal(ledger.acked.length, 25);
  const lines = readdirSync(dir).filter((n) => n.endsWith('.ndjson')).flatMap((n) => readFileSync(join(dir, n), 'utf8').split('\n').filter(Boolean));
  assert.deepEqual(lines.map((l) => (JSON.parse(l) as { n: number }).n).sort((a, b) => a - b), Array.from({ length: 25 }, (_, i) => i));
});

test('a disk that stays full past storageDeadlineMs stops the run with the fault as its reason', { timeout: 30_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'squall-ndjson-full-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const ledger = newLedger();
  const runtime = await startRuntime(t, fullDiskTopology(dir, new FullDisk(() => true), ledger), { storageDeadlineMs: 500 });
  const failure = await runtime.failure;
  assert.equal(failure.component, 'out');
  assert.equal(failure.code, ErrorCodes.STORAGE_FULL);
  assert.match(failure.message, /writing errors under .*: still failing after \d+ s \(storageDeadlineMs 500\): the storage is full: create .*_tmp\.errors-/);
  assert.deepEqual(ledger.acked, []);
});

test('with an identity, a record an earlier run committed is acked without being written again, and so is a second copy in one run', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'squall-ndjson-identity-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // What an earlier run committed: rows 0 to 4.
  writeFileSync(join(dir, 'errors-1795000000000-1-1.ndjson'), Array.from({ length: 5 }, (_, n) => JSON.stringify({ n })).join('\n') + '\n');
  const fs = new LocalFileSystem();
  // 100 has no identity: both copies are written.
  const rows = [...Array.from({ length: 10 }, (_, i) => [i]), [7], [8], [100], [100]];
  const ledger = newLedger();
  const definition = topology('ndjson-identity', { maxSpoutPending: 100 })
    .spout('rows', { create: () => new ListSpout(rows, ledger), outputs: { default: ['n'] } })
    .bolt('out', { create: () => new NdjsonOutputBolt({ fs: () => fs, dir, name: 'errors', toObject: (tuple) => ({ n: tuple.get('n') }), identity: (r) => (Number(r.n) >= 100 ? undefined : String(r.n)) }), inputs: [{ from: 'rows', grouping: shuffle() }] })
    .build();
  const runtime = await startRuntime(t, definition);
  await runtime.completion;
  assert.equal(ledger.acked.length, 14, 'every tuple is acked');
  const lines = readdirSync(dir).filter((n) => /^errors-.*\.ndjson$/.test(n)).flatMap((n) => readFileSync(join(dir, n), 'utf8').split('\n').filter(Boolean));
  assert.deepEqual(lines.map((l) => (JSON.parse(l) as { n: number }).n).sort((a, b) => a - b), [...Array.from({ length: 10 }, (_, i) => i), 100, 100], 'each row once');
});
