/**
 * The webrequest job writing to HDFS under a space quota that runs out mid-run (set with
 * `hdfs dfsadmin -setSpaceQuota` on the output directory, with 1 MiB blocks so that several files
 * fit first): its writers hold their input, say so naming the quota, and once the quota is lifted
 * the run goes on by itself to complete output and exit 0.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { WebHdfsFileSystem } from '../../bolts/hdfs/index.js';
import { clearSpaceQuota, ensureInfra, infraSettings, repoTempDir, runNimbus, setSpaceQuota, uniqueHdfsPath } from '../support/index.js';
import { refinedCounts } from '../support/webrequest-output.js';

const LINES = 20_000;
const MiB = 1024 * 1024;
const url = `http://127.0.0.1:${infraSettings.hdfs.webhdfsPort}`;
const work = repoTempDir('hdfs-quota');
const input = join(work, 'requests.ndjson');
const out = uniqueHdfsPath('storage-quota');
const fs = new WebHdfsFileSystem({ url, user: 'squall' });

before(async () => {
  await ensureInfra();
  const gen = await runNimbus(['generate', '-n', String(LINES), '--seed', '11', '--malformed', '0.02', '-o', input]);
  assert.equal(gen.code, 0, gen.stderr);
});
after(async () => {
  // The quota goes first, whatever happened: other tests share this HDFS.
  await clearSpaceQuota(out).catch(() => {});
  await fs.delete(out, { recursive: true }).catch(() => {});
  await fs.close();
  rmSync(work, { recursive: true, force: true });
});

test('a space quota that runs out mid-run holds the writers, naming the quota; lifting it lets the run finish with complete output', { timeout: 300_000 }, async () => {
  await fs.mkdirs(out);
  await setSpaceQuota(out, 8 * MiB);
  let lifted: Promise<void> | undefined;
  let heldFor = '';
  const run = await runNimbus(
    ['local', 'topologies/webrequest.ts', '--no-typecheck', '-q', '-c', `input=${input}`, '-c', `hdfs=${url}`, '-c', `output=${out}`, '-c', 'hdfsBlockSize=1048576', '-c', 'format=ndjson', '-c', 'threads=0', '-c', 'storageDeadlineMs=240000'],
    (text) => {
      const held = /holding input: .*\n?/.exec(text);
      if (lifted === undefined && held !== null) {
        heldFor = held[0];
        lifted = clearSpaceQuota(out);
      }
    },
  );
  await lifted;
  assert.match(heldFor, /the storage is full: .*DSQuotaExceededException: The DiskSpace quota of \/squall-test\/storage-quota-\w+ is exceeded: quota = 8388608 B/, 'the writers held for the quota, and said which');
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /input exhausted, every tuple acked\./);

  const counts = await refinedCounts(fs, `${out}/webrequest`);
  assert.ok([...counts.values()].every((n) => n === 1), 'no refined record is written twice');
  const errors: { origin: string }[] = [];
  for (const f of await fs.list(`${out}/errors`)) {
    if (!/^errors-.*\.ndjson$/.test(f.name)) continue;
    for (const line of (await fs.read(f.path)).toString('utf8').split('\n')) if (line !== '') errors.push(JSON.parse(line) as { origin: string });
  }
  assert.equal(new Set(errors.map((e) => e.origin)).size, errors.length, 'each bad line is in errors once');
  assert.equal(counts.size + errors.length, LINES, 'every line is refined or in errors');
});
