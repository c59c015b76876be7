/**
 * `nimbus dev-cluster`: a whole cluster on this machine, for trying cluster mode and for tests.
 * Starts ZooKeeper and HDFS from infra/ when they are down, then Nimbus and supervisor daemons
 * as child processes, each with its own state directory, and a token in the user's token file.
 * Ctrl-C or SIGTERM stops every process it started, workers included.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SQUALL_ROOT } from '../../worker/index.js';
import { DEFAULT_NIMBUS, writeTokenFile } from './cluster-client.js';
import { ExitCode } from './exit-codes.js';
import { onInterrupt } from './signals.js';

export const DEV_CLUSTER_HELP = `Usage: nimbus dev-cluster [options]

Starts a cluster on this machine: ZooKeeper and HDFS from infra/ if they are down, then
Nimbus daemons (the first on ${DEFAULT_NIMBUS}, the next on the ports after it) and
supervisors, as child processes. Writes a fresh token to ~/.config/squall/token (mode 0600),
so nimbus submit, kill and the others need no flag. Prints how to submit, and runs until
Ctrl-C or SIGTERM, which stops every process it started, workers included.

Options:
  --nimbus <n>         Nimbus daemons (default 1).
  --supervisors <m>    Supervisors (default 2).
  --slots <s>          Worker slots per supervisor (default 2; ports from 6700).
  --state-dir <dir>    Daemon logs, bundles and worker logs (default .state/dev-cluster).
  -h, --help           Show this help.

Exit codes: 0 stopped, 1 a daemon or the infra failed to start, 2 bad usage.`;

interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly log: string;
  output: string;
}

function count(flag: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!(Number.isInteger(n) && n >= 1 && n <= max)) throw new Error(`${flag} must be a whole number from 1 to ${max}, got '${value}'`);
  return n;
}

export async function devClusterCommand(argv: string[]): Promise<number> {
  let values;
  let nimbuses: number;
  let supervisors: number;
  let slots: number;
  try {
    ({ values } = parseArgs({ args: argv, options: { nimbus: { type: 'string' }, supervisors: { type: 'string' }, slots: { type: 'string' }, 'state-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
    nimbuses = count('--nimbus', values.nimbus, 1, 5);
    supervisors = count('--supervisors', values.supervisors, 2, 10);
    slots = count('--slots', values.slots, 2, 10);
  } catch (error) {
    process.stderr.write(`nimbus dev-cluster: ${(error as Error).message}\n\n${DEV_CLUSTER_HELP}\n`);
    return ExitCode.USAGE;
  }
  if (values.help) {
    process.stdout.write(`${DEV_CLUSTER_HELP}\n`);
    return ExitCode.OK;
  }
  const stateDir = resolve(values['state-dir'] ?? join('.state', 'dev-cluster'));
  mkdirSync(stateDir, { recursive: true });
  for (const service of ['zookeeper', 'hdfs']) {
    process.stderr.write(`checking ${service} (bash infra/${service}.sh up)...\n`);
    const up = spawnSync('bash', [join(SQUALL_ROOT, 'infra', `${service}.sh`), 'up'], { cwd: SQUALL_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    if (up.status !== 0) {
      process.stderr.write(`nimbus dev-cluster: ${service} did not start (see its log above); nothing else was started\n`);
      return ExitCode.FAILURE;
    }
  }
  const token = randomBytes(24).toString('base64url');
  const tokenPath = writeTokenFile(token).file;
  const children: Child[] = [];
  const start = (name: string, args: string[], ready: string): Promise<Child> => {
    const log = join(stateDir, `${name}.log`);
    const out = createWriteStream(log, { flags: 'a' });
    const child = spawn(process.execPath, [join(SQUALL_ROOT, 'bin/nimbus.mjs'), ...args], { cwd: SQUALL_ROOT, env: { ...process.env, SQUALL_TOKEN: token }, stdio: ['ignore', 'pipe', 'pipe'] });
    const entry: Child = { name, process: child, log, output: '' };
    children.push(entry);
    for (const stream of [child.stdout!, child.stderr!]) {
      stream.on('data', (d: Buffer) => {
        entry.output += d;
        out.write(d);
      });
    }
    return new Promise((resolveReady, reject) => {
      const check = () => entry.output.includes(ready) && resolveReady(entry);
      child.stdout!.on('data', check);
      child.stderr!.on('data', check);
      child.on('exit', (code) => reject(new Error(`${name} exited with ${code} before it was up: ${entry.output.trim().split('\n').slice(-3).join(' | ')} (log: ${log})`)));
    });
  };
  const stopAll = async () => {
    for (const c of children) if (c.process.exitCode === null) c.process.kill('SIGTERM');
    const exited = children.map((c) => (c.process.exitCode !== null ? Promise.resolve() : new Promise<void>((r) => c.process.once('exit', () => r()))));
    const timer = setTimeout(() => children.forEach((c) => c.process.kill('SIGKILL')), 30_000);
    await Promise.all(exited);
    clearTimeout(timer);
  };
  const [host, firstPort] = [DEFAULT_NIMBUS.slice(0, DEFAULT_NIMBUS.lastIndexOf(':')), Number(DEFAULT_NIMBUS.slice(DEFAULT_NIMBUS.lastIndexOf(':') + 1))];
  try {
    for (let i = 0; i < nimbuses; i++) {
      const address = `${host}:${firstPort + i}`;
      await start(`nimbus-${i + 1}`, ['start', '--listen', address], 'Nimbus on http://');
      process.stderr.write(`nimbus-${i + 1} up on ${address}\n`);
    }
    for (let i = 0; i < supervisors; i++) {
      const id = `supervisor-${i + 1}`;
      const ports = Array.from({ length: slots }, (_, s) => 6700 + i * 10 + s);
      await start(id, ['supervisor', '--id', id, '--slots', ports.join(','), '--state-dir', join(stateDir, id)], 'offers slots');
      process.stderr.write(`${id} up with slots ${ports.join(', ')}\n`);
    }
  } catch (error) {
    process.stderr.write(`nimbus dev-cluster: ${(error as Error).message}\nstopping what was started\n`);
    await stopAll();
    return ExitCode.FAILURE;
  }
  process.stdout.write(`
dev cluster up: ${nimbuses} Nimbus, ${supervisors} supervisors with ${slots} slots each (${supervisors * slots} slots)
  API     http://${DEFAULT_NIMBUS}/api/v1   (token in ${tokenPath})
  logs    ${stateDir}/

Submit a topology from another terminal:
  npx nimbus submit topologies/webrequest.ts --workers 2 -c records=200000
  npx nimbus list
  npx nimbus status webrequest
  npx nimbus kill webrequest

Ctrl-C stops the cluster and its workers.
`);
  for (const c of children) {
    c.process.on('exit', (code, signal) => {
      if (!stopping) process.stderr.write(`${c.name} exited ${signal ?? code} (log: ${c.log})\n`);
    });
  }
  let stopping = false;
  await new Promise<void>((r) => onInterrupt(() => r()));
  stopping = true;
  process.stderr.write('stopping the dev cluster...\n');
  await stopAll();
  process.stderr.write('stopped\n');
  return ExitCode.OK;
}
