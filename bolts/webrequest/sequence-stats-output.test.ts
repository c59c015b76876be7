import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LocalFileSystem } from '../hdfs/index.js';
import { FileSequenceStatsOutput, sequenceStatsFileName } from './sequence-stats-output.js';
import type { SequenceStatsRow } from './sequence-stats.js';

const H10 = Date.UTC(2026, 10, 22, 10);
const row = (hostname: string, lost: number) => ({ hostname, hour_start: H10, count_lost: lost }) as SequenceStatsRow;

test('an hour written again replaces its file (one name per hour and task), with no temporary file left', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'squall-sequence-stats-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const output = new FileSequenceStatsOutput(new LocalFileSystem(), dir, 7);
  await output.write(H10, [row('cp1', 1)]);
  await output.write(H10, [row('cp1', 2), row('cp2', 0)]);
  assert.equal(sequenceStatsFileName(H10, 7), 'sequence-stats-20261122-10-7.ndjson');
  assert.deepEqual(readdirSync(dir), ['sequence-stats-20261122-10-7.ndjson']);
  const lines = readFileSync(join(dir, 'sequence-stats-20261122-10-7.ndjson'), 'utf8').split('\n');
  assert.deepEqual(lines, [JSON.stringify(row('cp1', 2)), JSON.stringify(row('cp2', 0)), '']);
});
