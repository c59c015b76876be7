/**
 * A real cluster on loopback for tests: Nimbus and supervisor daemons as `nimbus start` and
 * `nimbus supervisor` processes on the ZooKeeper and HDFS that infra/ runs, under a ZooKeeper
 * root and an HDFS bundle directory of their own. Processes can be killed one by one (`kill -9`)
 * and started again.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, type NimbusRun, runNimbus } from './nimbus.js';
import { uniqueHdfsPath, uniqueZkRoot } from './names.js';
import { waitFor } from './wait.js';

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface Daemon {
  readonly name: string;
  readonly child: ChildProcess;
  output: string;
  readonly exited: Promise<number | null>;
}

export interface TestClusterOptions {
  readonly label: string;
  readonly nimbuses?: number;
  readonly supervisors?: number;
  readonly slots?: number;
  /** Seconds without beats before a worker's executors move. @default 6 */
  readonly workerTimeout?: number;
}

export class TestCluster {
  readonly zkRoot: string;
  readonly bundleDir: string;
  readonly token = `test-token-${Math.random().toString(36).slice(2)}`;
  readonly stateDir = mkdtempSync(join(tmpdir(), 'squall-cluster-'));
  readonly nimbuses = new Map<string, Daemon>();
  readonly supervisors = new Map<string, Daemon>();
  readonly slots = new Map<string, number[]>();
  readonly #o: TestClusterOptions;

  constructor(options: TestClusterOptions) {
    this.#o = options;
    this.zkRoot = uniqueZkRoot(options.label);
    this.bundleDir = `${uniqueHdfsPath(options.label)}/bundles`;
  }

  get env(): NodeJS.ProcessEnv {
    return { ...process.env, SQUALL_TOKEN: this.token, XDG_CONFIG_HOME: join(this.stateDir, 'config') };
  }

  #spawn(name: string, args: string[]): Daemon {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/nimbus.mjs'), ...args], { cwd: REPO_ROOT, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const daemon: Daemon = { name, child, output: '', exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
    child.stdout!.on('data', (d: Buffer) => (daemon.output += d));
    child.stderr!.on('data', (d: Buffer) => (daemon.output += d));
    return daemon;
  }

  async startNimbus(): Promise<string> {
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    const d = this.#spawn(`nimbus ${address}`, ['start', '--listen', address, '--zk-root', this.zkRoot, '--bundle-dir', this.bundleDir, '--worker-timeout', String(this.#o.workerTimeout ?? 6)]);
    this.nimbuses.set(address, d);
    await waitFor(() => d.output.includes('Nimbus on http://') || d.child.exitCode !== null, { timeoutMs: 30_000, message: `${d.name} up` });
    if (d.child.exitCode !== null) throw new Error(`${d.name} exited: ${d.output}`);
    return address;
  }

  async startSupervisor(id: string): Promise<void> {
    const slots = this.slots.get(id) ?? (await Promise.all(Array.from({ length: this.#o.slots ?? 2 }, () => freePort())));
    this.slots.set(id, slots);
    const d = this.#spawn(`supervisor ${id}`, ['supervisor', '--id', id, '--slots', slots.join(','), '--zk-root', this.zkRoot, '--bundle-dir', this.bundleDir, '--state-dir', join(this.stateDir, id), '--cpu', '800', '--memory', '8192']);
    this.supervisors.set(id, d);
    await waitFor(() => d.output.includes('offers slots') || d.child.exitCode !== null, { timeoutMs: 30_000, message: `${d.name} up` });
    if (d.child.exitCode !== null) throw new Error(`${d.name} exited: ${d.output}`);
  }

  async start(): Promise<void> {
    for (let i = 0; i < (this.#o.nimbuses ?? 1); i++) await this.startNimbus();
    for (let i = 0; i < (this.#o.supervisors ?? 2); i++) await this.startSupervisor(`sup-${String.fromCharCode(97 + i)}`);
  }

  /** Runs the CLI against this cluster (any live Nimbus unless `--nimbus` is in `args`). */
  cli(args: readonly string[], options: { token?: string | null } = {}): Promise<NimbusRun> {
    const nimbus = [...this.nimbuses].find(([, d]) => d.child.exitCode === null && d.child.signalCode === null)?.[0];
    const env: NodeJS.ProcessEnv = { ...this.env, ...(nimbus === undefined ? {} : { SQUALL_NIMBUS: nimbus }) };
    if (options.token === null) delete env.SQUALL_TOKEN;
    else if (options.token !== undefined) env.SQUALL_TOKEN = options.token;
    return runNimbus(args, undefined, env);
  }

  /** The JSON a read command prints with --json. */
  async json<T>(args: readonly string[]): Promise<T> {
    const run = await this.cli([...args, '--json']);
    if (run.code !== 0) throw new Error(`nimbus ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
    return JSON.parse(run.stdout) as T;
  }

  /** Pids of the worker processes of this cluster on `supervisor`'s slots. */
  workerPids(supervisor: string): number[] {
    const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
    return out
      .split('\n')
      .filter((l) => l.includes('worker/main.ts') && l.includes(this.zkRoot) && l.includes(`--supervisor ${supervisor} `))
      .map((l) => Number(l.trim().split(/\s+/)[0]));
  }

  /** `kill -9`. */
  static kill(pid: number | undefined): void {
    if (pid === undefined) return;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }

  async stop(): Promise<void> {
    const all = [...this.supervisors.values(), ...this.nimbuses.values()];
    for (const d of all) if (d.child.exitCode === null) d.child.kill('SIGTERM');
    await Promise.race([Promise.all(all.map((d) => d.exited)), new Promise((r) => setTimeout(r, 20_000))]);
    for (const d of all) TestCluster.kill(d.child.pid);
    for (const id of this.slots.keys()) for (const pid of this.workerPids(id)) TestCluster.kill(pid);
  }
}
