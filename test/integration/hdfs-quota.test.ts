/**
 * The webrequest job writing to HDFS under a space quota that runs out mid-run (set with
 * `hdfs dfsadmin -setSpaceQuota` on the output directory, with 1 MiB blocks so that several files
 * fit first): its writers hold their input, say so naming the quota, and once the quota is lifted
 * the run goes on by itself to complete output and exit 0. A quota never lifted stops the run
 * past storageDeadlineMs with exit 1, as a full local disk does, and a re-run completes it.
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
const outs = [uniqueHdfsPath('storage-quota'), uniqueHdfsPath('storage-quota')];
const fs = new WebHdfsFileSystem({ url, user: 'squall' });

before(async () => {
  await ensureInfra();
  const gen = await runNimbus(['generate', '-n', String(LINES), '--seed', '11', '--malformed', '0.02', '-o', input]);
  assert.equal(gen.code, 0, gen.stderr);
});
after(async () => {
  // The quotas go first, whatever happened: other tests share this HDFS.
  for (const out of outs) {
    await clearSpaceQuota(out).catch(() => {});
    await fs.delete(out, { recursive: true }).catch(() => {});
  }
  await fs.close();
  rmSync(work, { recursive: true, force: true });
});

const local = (out: string, storageDeadlineMs: number) =>
  ['local', 'topologies/webrequest.ts', '--no-typecheck', '-q', '-c', `input=${input}`, '-c', `hdfs=${url}`, '-c', `output=${out}`, '-c', 'hdfsBlockSize=1048576', '-c', 'format=ndjson', '-c', 'threads=0', '-c', `storageDeadlineMs=${storageDeadlineMs}`];

/** Every line of the input is refined or in errors under `out`, exactly once. */
async function assertComplete(out: string): Promise<void> {
  const counts = await refinedCounts(fs, `${out}/webrequest`);
  assert.ok([...counts.values()].every((n) => n === 1), 'no refined record is written twice');
  const errors: { origin: string }[] = [];
  for (const f of await fs.list(`${out}/errors`)) {
    if (!/^errors-.*\.ndjson$/.test(f.name)) continue;
    for (const line of (await fs.read(f.path)).toString('utf8').split('\n')) if (line !== '') errors.push(JSON.parse(line) as { origin: string });
  }
  assert.equal(new Set(errors.map((e) => e.origin)).size, errors.length, 'each bad line is in errors once');
  assert.equal(counts.size + errors.length, LINES, 'every line is refined or in errors');
}

test('a space quota that runs out mid-run holds the writers, naming the quota; lifting it lets the run finish with complete output', { timeout: 300_000 }, async () => {
  const out = outs[0]!;
  await fs.mkdirs(out);
  await setSpaceQuota(out, 8 * MiB);
  let lifted: Promise<void> | undefined;
  let heldFor = '';
  const run = await runNimbus(
    local(out, 240_000),
    (text) => {
      // The first hold may be the upload the DataNode broke off (an I/O fault); the hold says at
      // once when its probe then reads the quota: lift it on that line.
      const held = /holding input: [^\n]*the storage is full[^\n]*/.exec(text);
      if (lifted === undefined && held !== null) {
        heldFor = held[0];
        lifted = clearSpaceQuota(out);
      }
    },
  );
  await lifted;
  assert.match(heldFor, /the storage is full: .*DSQuotaExceededException: The DiskSpace quota of \/squall-test\/storage-quota-\w+ is exceeded: quota = 8388608 B/, 'the writers held for the quota, and said which');
  assert.equal(run.code, 0, run.stdout + run.stderr);
  // Tuples the full quota failed were replayed: the headline says how many, or none failed at all.
  assert.match(run.stdout, /input exhausted, every (?:tuple acked|record written \([\d,]+ tuple trees? failed on the way and (?:was|were) replayed\))\./);

  await assertComplete(out);
});

test('a space quota never lifted stops the run past storageDeadlineMs with exit 1 and the quota in its last line; the same command completes once it is lifted', { timeout: 300_000 }, async () => {
  const out = outs[1]!;
  await fs.mkdirs(out);
  await setSpaceQuota(out, 8 * MiB);
  const first = await runNimbus(local(out, 5_000));
  assert.equal(first.code, 1, first.stdout + first.stderr);
  const lastLine = first.stderr.trim().split('\n').at(-1)!;
  assert.match(lastLine, /^nimbus local: topology 'webrequest' failed: .*still failing after \d+ s \(storageDeadlineMs 5000\): the storage is full: .*DSQuotaExceededException: The DiskSpace quota of \/squall-test\/storage-quota-\w+ is exceeded: quota = 8388608 B.*setSpaceQuota.*\[SQUALL_ERR_STORAGE_FULL\]$/);
  assert.match(first.stdout, /[1-9][\d,]* records read are not written anywhere yet: re-run the same command when the disk has room/);

  await clearSpaceQuota(out);
  const second = await runNimbus(local(out, 240_000));
  assert.equal(second.code, 0, second.stdout + second.stderr);
  await assertComplete(out);
});
