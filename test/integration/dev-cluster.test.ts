/**
 * `nimbus dev-cluster` as a user runs it: it starts a cluster, writes the token file, and the
 * CLI then needs no flag; SIGTERM stops every process it started, workers included.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ensureInfra } from '../support/infra.js';
import { randomSuffix } from '../support/names.js';
import { REPO_ROOT, runNimbus } from '../support/nimbus.js';
import { waitFor } from '../support/wait.js';

test('dev-cluster starts a cluster the CLI reaches without flags, and SIGTERM stops all of it', { timeout: 180_000 }, async () => {
  await ensureInfra();
  const home = mkdtempSync(join(tmpdir(), 'squall-dev-cluster-'));
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CONFIG_HOME: join(home, 'config') };
  delete env.SQUALL_TOKEN;
  delete env.SQUALL_NIMBUS;
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/nimbus.mjs'), 'dev-cluster', '--supervisors', '1', '--slots', '2', '--state-dir', join(home, 'state')], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d));
  child.stderr.on('data', (d: Buffer) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ours = () => execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(join(home, 'state')) || (l.includes('worker/main.ts') && l.includes('--supervisor supervisor-1 ')));
  try {
    await waitFor(() => output.includes('dev cluster up') || child.exitCode !== null, { timeoutMs: 120_000, message: 'dev cluster up' });
    assert.match(output, /Submit a topology from another terminal/);
    const tokenFile = join(home, 'config', 'squall', 'token');
    assert.equal(statSync(tokenFile).mode & 0o777, 0o600);
    // The dev cluster keeps its state in ZooKeeper under /squall: a name of its own, killed at the end.
    const name = `split-${randomSuffix()}`;
    const submitted = await runNimbus(['submit', 'test/fixtures/topologies/split.ts', '--name', name, '--wait', '90'], undefined, env);
    assert.equal(submitted.code, 0, submitted.stderr);
    assert.ok(ours().some((l) => l.includes('worker/main.ts')), 'a worker runs');
    const killed = await runNimbus(['kill', name], undefined, env);
    assert.equal(killed.code, 0, killed.stderr);
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0, output);
  assert.match(output, /stopped/);
  assert.deepEqual(ours(), [], 'no process of the dev cluster is left');
});
