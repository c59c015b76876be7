/**
 * The integration tier's view of the loopback services: where they listen (read from the same
 * environment variables as infra/*.sh, in infra/settings.ts), `ensureInfra()` to have them up,
 * and stop/start/restart helpers for fault tests.
 *
 * @example
 * ```ts
 * import { ensureInfra, restartService } from '../support/infra.js';
 * const infra = await ensureInfra();
 * const redis = new Redis({ host: infra.redis.host, port: infra.redis.port });
 * await restartService('redis');
 * ```
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { SERVICE_NAMES, loadInfraSettings, type InfraSettings, type ServiceName } from '../../infra/settings.js';

export { INFRA_ENV, SERVICE_NAMES, loadInfraSettings } from '../../infra/settings.js';
export type { InfraSettings, ServiceName } from '../../infra/settings.js';

/** The settings for this process's environment, read once. */
export const infraSettings: InfraSettings = loadInfraSettings();

/** One HDFS daemon, to stop or start it alone (DataNode fault tests). */
export type HdfsRole = 'namenode' | 'datanode';

export interface ServiceControlOptions {
  /** For 'hdfs' only: act on this daemon alone. @default both */
  role?: HdfsRole;
  /** Give up (and kill the script) after this many milliseconds. @default 180000 */
  timeoutMs?: number;
}

export interface EnsureInfraOptions {
  /** Give up on `infra/up.sh` after this many milliseconds (a first run installs). @default 900000 */
  timeoutMs?: number;
}

/** A script from infra/ failed; `output` holds the tail of what it printed. */
export class InfraScriptError extends Error {
  override readonly name = 'InfraScriptError';
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly output: string,
  ) {
    super(message);
  }
}

function runScript(args: string[], timeoutMs: number, echo = false): Promise<string> {
  const script = join(infraSettings.repoDir, 'infra', args[0]!);
  const command = `bash infra/${args.join(' ')}`;
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script, ...args.slice(1)], {
      cwd: infraSettings.repoDir,
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (echo || process.env.SQUALL_INFRA_VERBOSE) process.stderr.write(chunk);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new InfraScriptError(`${command} could not be run: ${error.message}`, null, output));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0 && !timedOut) {
        resolve(output);
        return;
      }
      const tail = output.trimEnd().split('\n').slice(-40).join('\n');
      const why = timedOut ? `did not finish within ${timeoutMs} ms` : `exited with code ${code}`;
      reject(new InfraScriptError(`${command} ${why}. Its last output:\n${tail}`, code, output));
    });
  });
}

function portAnswers(port: number, host: string, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function servicePort(settings: InfraSettings, service: ServiceName): { host: string; port: number } {
  switch (service) {
    case 'zookeeper':
      return settings.zookeeper;
    case 'redis':
      return settings.redis;
    case 'kafka':
      return settings.kafka;
    case 'hdfs':
      return { host: settings.hdfs.host, port: settings.hdfs.webhdfsPort };
  }
}

let ensured: Promise<InfraSettings> | undefined;

/**
 * Makes sure ZooKeeper, Redis, Kafka and HDFS are up, and resolves with their settings. Runs
 * `bash infra/up.sh`, which leaves running services alone (a second call costs well under a
 * second) and starts, or first installs, the rest. Called many times in one process, it runs the
 * script once. With `SQUALL_SKIP_INFRA` set it starts nothing and only checks that every port
 * answers.
 */
export function ensureInfra(options: EnsureInfraOptions = {}): Promise<InfraSettings> {
  ensured ??= (async () => {
    if (process.env.SQUALL_SKIP_INFRA) {
      const down: string[] = [];
      for (const service of SERVICE_NAMES) {
        const { host, port } = servicePort(infraSettings, service);
        if (!(await portAnswers(port, host))) down.push(`${service} (${host}:${port})`);
      }
      if (down.length > 0) {
        throw new Error(`SQUALL_SKIP_INFRA is set but nothing answers for: ${down.join(', ')}. Run 'bash infra/up.sh' or unset SQUALL_SKIP_INFRA.`);
      }
      return infraSettings;
    }
    await runScript(['up.sh'], options.timeoutMs ?? 900_000);
    return infraSettings;
  })().catch((error: unknown) => {
    ensured = undefined;
    throw error;
  });
  return ensured;
}

function control(verb: 'up' | 'down' | 'restart', service: ServiceName, options: ServiceControlOptions): Promise<string> {
  if (!SERVICE_NAMES.includes(service)) throw new Error(`unknown service '${service}': use one of ${SERVICE_NAMES.join(', ')}`);
  if (options.role !== undefined && service !== 'hdfs') throw new Error(`a role only applies to 'hdfs', not '${service}'`);
  const args = [`${service}.sh`, verb, ...(options.role ? [options.role] : [])];
  return runScript(args, options.timeoutMs ?? 180_000);
}

/**
 * Stops a service that infra/ started (its pid file decides what is stopped) and resolves once
 * its process has exited. Data survives, except Redis's, which never persists anything.
 */
export async function stopService(service: ServiceName, options: ServiceControlOptions = {}): Promise<void> {
  await control('down', service, options);
}

/** Starts a service (or one HDFS daemon) and resolves once it is ready, as `infra/up.sh` defines ready. */
export async function startService(service: ServiceName, options: ServiceControlOptions = {}): Promise<void> {
  await control('up', service, options);
}

/** Stops and starts a service again, resolving once it is ready. */
export async function restartService(service: ServiceName, options: ServiceControlOptions = {}): Promise<void> {
  await control('restart', service, options);
}

let producersEnsured: Promise<string> | undefined;

/**
 * Makes sure the two real Kafka producers of the codec tests are installed (kcat, and the Java
 * classpath of Kafka's own console producer), with `bash infra/kafka-producers.sh up`, which is
 * idempotent. Runs even with `SQUALL_SKIP_INFRA`: it installs, it starts nothing. Resolves with
 * the path of the file that holds the Java classpath.
 */
export function ensureKafkaProducers(options: { timeoutMs?: number } = {}): Promise<string> {
  producersEnsured ??= runScript(['kafka-producers.sh', 'up'], options.timeoutMs ?? 600_000)
    .then(() => join(infraSettings.stateDir, 'kafka/classpath.txt'))
    .catch((error: unknown) => {
      producersEnsured = undefined;
      throw error;
    });
  return producersEnsured;
}

let sparkEnsured: Promise<string> | undefined;

/**
 * Makes sure pyspark is installed in the project's virtualenv (`bash infra/spark.sh up`, which is
 * idempotent: a first run downloads about 320 MB from PyPI, later runs check in well under a
 * second). Its progress is printed as it goes. Runs even with `SQUALL_SKIP_INFRA`: it installs, it
 * starts nothing. Resolves with the path of the virtualenv's python.
 */
export function ensureSpark(options: { timeoutMs?: number } = {}): Promise<string> {
  sparkEnsured ??= runScript(['spark.sh', 'up'], options.timeoutMs ?? 900_000, true)
    .then(() => join(infraSettings.stateDir, 'spark/venv/bin/python'))
    .catch((error: unknown) => {
      sparkEnsured = undefined;
      throw error;
    });
  return sparkEnsured;
}
