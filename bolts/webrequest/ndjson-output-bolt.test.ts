import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { shuffle, topology } from '../../core/index.js';
import { ListSpout } from '../../test/fixtures/components.js';
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
