/**
 * A `nimbus local <topology>` run as a child process that a test can signal: kill -9, interrupt,
 * pause (SIGSTOP) and resume (SIGCONT), with what it printed kept for failure messages.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './nimbus.js';

/** Output kept per process, from the end. */
const KEEP_CHARS = 256 * 1024;

export class TopologyProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #output = '';

  /** Starts `nimbus local <file> --no-typecheck` with `-c key=value` for each config entry. */
  constructor(
    readonly label: string,
    file: string,
    config: Readonly<Record<string, string | number | boolean>>,
    extraArgs: readonly string[] = [],
  ) {
    const args = ['local', file, '--no-typecheck', '--status-interval', '5', ...extraArgs];
    for (const [k, v] of Object.entries(config)) args.push('-c', `${k}=${v}`);
    this.child = spawn(process.execPath, [join(REPO_ROOT, 'bin/nimbus.mjs'), ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer) => {
      this.#output += d;
      if (this.#output.length > 2 * KEEP_CHARS) this.#output = this.#output.slice(-KEEP_CHARS);
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  get output(): string {
    return this.#output;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last lines it printed. */
  tail(lines = 30): string {
    return this.#output.trimEnd().split('\n').slice(-lines).join('\n');
  }

  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** SIGKILL, and waits until it is gone. */
  async kill9(): Promise<void> {
    this.signal('SIGCONT');
    this.signal('SIGKILL');
    await this.exited;
  }

  /** SIGINT (a graceful stop), and waits for the exit; SIGKILL after `timeoutMs`. */
  async interrupt(timeoutMs = 60_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.signal('SIGCONT');
    this.signal('SIGINT');
    const timer = setTimeout(() => this.signal('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}
