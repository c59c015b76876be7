/**
 * Learns what a submitted bundle holds by loading it in a child process
 * (worker/topology/describe-bundle.ts): the topology's code never runs inside Nimbus, and a
 * bundle that hangs or crashes on load costs a child, not the daemon.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SquallError } from '../../core/index.js';
import { BUNDLE_SUFFIX, type BundleDescription, SQUALL_ROOT } from '../../worker/index.js';

export const DescribeErrorCodes = Object.freeze({ INVALID: 'SQUALL_ERR_TOPOLOGY_INVALID' } as const);

/** The environment without the cluster token: a topology's code never sees it. */
function withoutToken(): NodeJS.ProcessEnv {
  const { SQUALL_TOKEN: _token, ...env } = process.env;
  return env;
}

export async function describeBundle(code: string, config: Readonly<Record<string, unknown>>, timeoutMs = 60_000): Promise<BundleDescription> {
  const dir = mkdtempSync(join(tmpdir(), 'squall-describe-'));
  const file = join(dir, `topology${BUNDLE_SUFFIX}`);
  writeFileSync(file, code);
  try {
    const { code: exit, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(SQUALL_ROOT, 'worker/topology/describe-bundle.ts'), file, JSON.stringify(config)], { cwd: SQUALL_ROOT, env: withoutToken(), stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d));
      child.stderr.on('data', (d: Buffer) => (err += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('error', reject);
      child.on('close', (c) => {
        clearTimeout(timer);
        resolve({ code: c, stdout: out, stderr: err });
      });
    });
    if (exit === 0) return JSON.parse(stdout.trim().split('\n').pop()!) as BundleDescription;
    const why = exit === null ? `it did not load within ${timeoutMs} ms` : stderr.trim() || `the loader exited with ${exit}`;
    throw new SquallError(DescribeErrorCodes.INVALID, `the topology is not valid: ${why}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
