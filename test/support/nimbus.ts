/** Runs the `nimbus` CLI as a user would: a real process, its exit code and what it printed. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';

export const REPO_ROOT = new URL('../..', import.meta.url).pathname;
const NIMBUS = join(REPO_ROOT, 'bin/nimbus.mjs');

/**
 * A fresh directory under `<repo>/out/` (gitignored), for files that must sit inside the
 * repository, such as a topology file importing `../../core/index.js`.
 */
export function repoTempDir(prefix: string): string {
  const parent = join(REPO_ROOT, 'out');
  mkdirSync(parent, { recursive: true });
  return mkdtempSync(join(parent, `${prefix}-`));
}

export interface NimbusRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `nimbus <args>` to its end. `onOutput` sees everything printed so far each time more
 * arrives, and may act on it (send a signal, scrape a URL it printed).
 */
export function runNimbus(args: readonly string[], onOutput?: (text: string, child: ChildProcess) => void, env: NodeJS.ProcessEnv = process.env): Promise<NimbusRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [NIMBUS, ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d;
      onOutput?.(stdout + stderr, child);
    });
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d;
      onOutput?.(stdout + stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
