/**
 * `nimbus local` does not outlive what started it (issue #12): SIGHUP drains and stops it like
 * Ctrl-C; when its parent process dies (npx killed with SIGKILL) it stops by itself instead of
 * running on as an orphan; and an interrupt during start-up stops it at once.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT, repoTempDir, runNimbus } from '../support/nimbus.js';
import { waitFor } from '../support/wait.js';

const ENDLESS = ['local', 'examples/word-count.ts', '--no-typecheck', '--status-interval', '0.2', '-c', 'sentences=1000000000'];

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('SIGHUP drains and prints the summary; exit 0', { timeout: 60_000 }, async () => {
  let sent = false;
  const r = await runNimbus(ENDLESS, (text, child) => {
    if (!sent && /emitted [\d,]+/.test(text)) {
      sent = true;
      child.kill('SIGHUP');
    }
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /hung up \(SIGHUP\): draining in-flight tuples/);
  assert.match(r.stdout, /stopped after [\d.]+ s: hung up \(SIGHUP\)\./);
});

test('when the process that started it is killed with SIGKILL, nimbus local drains and exits by itself', { timeout: 60_000 }, async (t) => {
  // A shell stands for npx: it starts nimbus, prints its pid, and waits.
  const script = `node ${join(REPO_ROOT, 'bin/nimbus.mjs')} ${ENDLESS.join(' ')} & echo "pid $!"; wait`;
  const parent = spawn('sh', ['-c', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  parent.stdout.on('data', (d: Buffer) => (output += d));
  parent.stderr.on('data', (d: Buffer) => (output += d));
  const pid = Number((await waitFor(() => /^pid (\d+)$/m.exec(output), { timeoutMs: 30_000, message: 'the pid of nimbus' }))[1]);
  t.after(() => {
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  });
  await waitFor(() => /emitted [\d,]+/.test(output), { timeoutMs: 30_000, message: 'the topology running' });
  parent.kill('SIGKILL');
  await waitFor(() => !alive(pid), { timeoutMs: 30_000, message: `nimbus (pid ${pid}) to exit after its parent was killed` });
  assert.match(output, /the parent process exited: draining in-flight tuples/);
  assert.match(output, /stopped after [\d.]+ s: the parent process exited\./);
});

test('an interrupt during start-up stops at once with exit 130', { timeout: 60_000 }, async (t) => {
  const dir = repoTempDir('stops');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'slow-start.ts');
  // A topology whose module never finishes loading: what a start-up that hangs looks like.
  writeFileSync(file, `process.stderr.write('loading forever\\n');\nawait new Promise(() => setInterval(() => {}, 1000));\nexport default undefined;\n`);
  let sent = false;
  const r = await runNimbus(['local', file, '--no-typecheck'], (text, child) => {
    if (!sent && text.includes('loading forever')) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /nimbus local: interrupted during start-up: stopped before the topology ran/);
});
