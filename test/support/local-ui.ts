/** A `nimbus local --ui` run in a child process, for the monitor and browser tests. */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './nimbus.js';
import { waitFor } from './wait.js';

export interface LocalUiRun {
  readonly child: ChildProcess;
  /** `127.0.0.1:<port>` of the UI and REST API. */
  readonly address: string;
  readonly token: string;
  output(): string;
  /** Interrupts the run and waits for it to exit. */
  stop(): Promise<void>;
}

/** Starts `nimbus local <file> --ui 0` with `args`; resolves once the UI listens. */
export async function startLocalUi(file: string, args: readonly string[] = []): Promise<LocalUiRun> {
  const token = `ui-test-${Math.random().toString(36).slice(2)}`;
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/nimbus.mjs'), 'local', file, '--no-typecheck', '--ui', '0', '-q', ...args], { cwd: REPO_ROOT, env: { ...process.env, SQUALL_TOKEN: token }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d));
  child.stderr!.on('data', (d: Buffer) => (output += d));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const address = await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`nimbus local exited (${child.exitCode}) before its UI listened:\n${output}`);
    return /UI and REST API at http:\/\/(127\.0\.0\.1:\d+)/.exec(output)?.[1];
  }, { timeoutMs: 60_000, intervalMs: 100, message: 'the local UI to listen' });
  return {
    child,
    address,
    token,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
    },
  };
}
