/**
 * The daemons: `nimbus start` (a Nimbus) and `nimbus supervisor` (one per machine). Each runs
 * until SIGINT or SIGTERM, and then leaves the cluster cleanly.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { availableParallelism, hostname, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type LogLevel, createLogger } from '../../core/index.js';
import { DEFAULT_ZK_ROOT, SQUALL_ROOT, Supervisor, WebHdfsBundleStore, consoleSink } from '../../worker/index.js';
import { httpApi } from '../daemon/http-api.js';
import { withUi } from '../ui/ui-handler.js';
import { Nimbus } from '../daemon/nimbus.js';
import { DEFAULT_NIMBUS, readToken, tokenFile, writeTokenFile } from './cluster-client.js';
import { ExitCode } from './exit-codes.js';
import { onInterrupt } from './signals.js';

const COMMON = {
  zookeeper: { type: 'string' },
  'zk-root': { type: 'string' },
  hdfs: { type: 'string' },
  'bundle-dir': { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const COMMON_HELP = `  --zookeeper <host:port>  ZooKeeper (default: SQUALL_ZOOKEEPER, else 127.0.0.1:2181).
  --zk-root <path>         The cluster's root in ZooKeeper (default ${DEFAULT_ZK_ROOT}).
  --hdfs <url>             WebHDFS of the bundle store (default: SQUALL_HDFS, else http://127.0.0.1:9870).
  --bundle-dir <path>      HDFS directory of bundles (default /squall/bundles).
  --log-level <level>      debug, info, warn or error (default info).
  -h, --help               Show this help.`;

export const START_HELP = `Usage: nimbus start [options]

Runs a Nimbus: it joins the leader election in ZooKeeper and serves the HTTP API that the
nimbus CLI talks to. Run several for failover: one leads, the others answer reads and forward
changes to it. Stops on Ctrl-C or SIGTERM.

Changes need the cluster token: --token, else SQUALL_TOKEN, else the token file
(~/.config/squall/token). When none is given and there is no file, a token is made and
written to the file (mode 0600), so the nimbus CLI of this user finds it.

Options:
  --listen <host:port>     Where to serve the API (default ${DEFAULT_NIMBUS}; loopback only unless told).
  --advertise <host:port>  Where other Nimbus daemons and the CLI reach this one (default: --listen;
                           needed when --listen is 0.0.0.0).
  --token <token>          The cluster token.
  --worker-timeout <s>     Reassign a worker's executors after this long without a beat (default 10).
  --worker-start-timeout <s>  How long a new worker may take to beat first (default 60).
${COMMON_HELP}

Exit codes: 0 stopped, 1 failed, 2 bad usage.`;

export const SUPERVISOR_HELP = `Usage: nimbus supervisor [options]

Runs a supervisor: it registers this machine's worker slots in ZooKeeper and starts, restarts
and stops worker processes to match the assignments Nimbus writes. Worker logs are kept in
<state-dir>/workers/. Stops its workers and exits on Ctrl-C or SIGTERM.

Options:
  --id <id>                Supervisor id (default <hostname>-<first slot>).
  --host <host>            Address other workers reach this machine at (default 127.0.0.1).
  --slots <ports>          Worker ports, comma-separated (default 6700,6701).
  --cpu <percent>          Cpu offered, in percent of a core (default: 100 per core).
  --memory <MiB>           Memory offered (default: the machine's).
  --state-dir <dir>        Bundles and worker logs (default .state/supervisors/<id>).
  --metrics-offset <n>     Each worker serves /metrics on its slot's port + n (default 1000; 0 for none).
${COMMON_HELP}

Exit codes: 0 stopped, 1 failed, 2 bad usage.`;

function parse(name: string, help: string, argv: string[], options: NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>['options']>) {
  try {
    return parseArgs({ args: argv, options: { ...COMMON, ...options } }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    process.stderr.write(`nimbus ${name}: ${(error as Error).message}\n\n${help}\n`);
    return undefined;
  }
}

class UsageError extends Error {}
/** A daemon that cannot start for a reason outside its command line (a port in use): exit 1. */
class StartError extends Error {}

function positive(flag: string, value: string | boolean | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!(Number.isFinite(n) && n > 0)) throw new UsageError(`${flag} must be a positive number, got '${String(value)}'`);
  return n;
}

function nonNegativeInt(flag: string, value: string | boolean | undefined): number {
  const n = Number(value);
  if (!(Number.isInteger(n) && n >= 0 && n < 65536)) throw new UsageError(`${flag} must be a whole number from 0 to 65535, got '${String(value)}'`);
  return n;
}

function common(values: Record<string, string | boolean | undefined>) {
  const level = (values['log-level'] as LogLevel | undefined) ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(level)) throw new UsageError(`--log-level is debug, info, warn or error, got '${level}'`);
  return {
    zookeeper: (values.zookeeper as string | undefined) ?? process.env.SQUALL_ZOOKEEPER ?? '127.0.0.1:2181',
    zkRoot: (values['zk-root'] as string | undefined) ?? DEFAULT_ZK_ROOT,
    bundles: new WebHdfsBundleStore({ url: (values.hdfs as string | undefined) ?? process.env.SQUALL_HDFS ?? 'http://127.0.0.1:9870', dir: (values['bundle-dir'] as string | undefined) ?? '/squall/bundles' }),
    level,
  };
}

function version(): string {
  return (JSON.parse(readFileSync(join(SQUALL_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

async function daemon(name: string, help: string, run: () => Promise<() => Promise<void>>): Promise<number> {
  let stop: () => Promise<void>;
  try {
    stop = await run();
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`nimbus ${name}: ${error.message}\n\n${help}\n`);
      return ExitCode.USAGE;
    }
    if (error instanceof StartError) {
      process.stderr.write(`nimbus ${name}: ${error.message}\n`);
      return ExitCode.FAILURE;
    }
    throw error;
  }
  await new Promise<void>((resolve) => onInterrupt(() => resolve()));
  await stop();
  return ExitCode.OK;
}

export async function startCommand(argv: string[]): Promise<number> {
  const values = parse('start', START_HELP, argv, { listen: { type: 'string' }, advertise: { type: 'string' }, token: { type: 'string' }, 'worker-timeout': { type: 'string' }, 'worker-start-timeout': { type: 'string' } });
  if (values === undefined) return ExitCode.USAGE;
  if (values.help) {
    process.stdout.write(`${START_HELP}\n`);
    return ExitCode.OK;
  }
  return daemon('start', START_HELP, async () => {
    const c = common(values);
    const listen = (values.listen as string | undefined) ?? DEFAULT_NIMBUS;
    const i = listen.lastIndexOf(':');
    const [host, port] = [listen.slice(0, i), Number(listen.slice(i + 1))];
    if (i <= 0 || !(Number.isInteger(port) && port >= 0 && port < 65536)) throw new UsageError(`--listen is host:port, got '${listen}'`);
    const timeouts = { workerTimeoutMs: positive('--worker-timeout', values['worker-timeout'], 10) * 1000, workerStartTimeoutMs: positive('--worker-start-timeout', values['worker-start-timeout'], 60) * 1000 };
    let token = readToken(values.token as string | undefined);
    if (token === undefined) {
      const written = writeTokenFile(randomBytes(24).toString('base64url'), { replace: false });
      token = written.token;
      process.stderr.write(`no token given: using the one in ${written.file} (mode 0600), which the nimbus CLI of this user reads\n`);
    }
    const advertise = (values.advertise as string | undefined) ?? listen;
    if (/^(0\.0\.0\.0|\[?::\]?):/.test(advertise)) throw new UsageError(`--listen ${listen} listens on every address: say with --advertise host:port where other Nimbus daemons and the CLI reach this one`);
    const logger = createLogger(consoleSink(process.stderr), c.level, `nimbus:${listen}`);
    const server = createServer();
    const bound = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve((server.address() as { port: number }).port));
    }).catch((error: NodeJS.ErrnoException) => {
      throw new StartError(error.code === 'EADDRINUSE' ? `${listen} is in use: is another Nimbus running there? Pick another with --listen` : `cannot listen on ${listen}: ${error.message}`);
    });
    const nimbus = new Nimbus({ zookeeper: c.zookeeper, zkRoot: c.zkRoot, address: values.advertise === undefined ? `${host}:${bound}` : advertise, bundles: c.bundles, logger, version: version(), timeouts });
    await nimbus.start();
    server.on('request', withUi(httpApi({ nimbus, token, logger })));
    process.stdout.write(`Nimbus on http://${host}:${bound}/api/v1 (ZooKeeper ${c.zookeeper}${c.zkRoot}, bundles in ${c.bundles.location}); token file ${tokenFile()}\n`);
    return async () => {
      await nimbus.stop();
      await new Promise((r) => server.close(r));
    };
  });
}

export async function supervisorCommand(argv: string[]): Promise<number> {
  const values = parse('supervisor', SUPERVISOR_HELP, argv, { id: { type: 'string' }, host: { type: 'string' }, slots: { type: 'string' }, cpu: { type: 'string' }, memory: { type: 'string' }, 'state-dir': { type: 'string' }, 'metrics-offset': { type: 'string' } });
  if (values === undefined) return ExitCode.USAGE;
  if (values.help) {
    process.stdout.write(`${SUPERVISOR_HELP}\n`);
    return ExitCode.OK;
  }
  return daemon('supervisor', SUPERVISOR_HELP, async () => {
    const c = common(values);
    const slots = ((values.slots as string | undefined) ?? '6700,6701').split(',').map((p) => Number(p.trim()));
    if (slots.some((p) => !(Number.isInteger(p) && p > 0 && p < 65536)) || new Set(slots).size !== slots.length) throw new UsageError(`--slots is a comma-separated list of distinct ports, got '${String(values.slots)}'`);
    const id = (values.id as string | undefined) ?? `${hostname()}-${slots[0]}`;
    if (!/^[A-Za-z0-9._-]+$/.test(id)) throw new UsageError(`--id is letters, digits, '.', '_' and '-', got '${id}'`);
    const logger = createLogger(consoleSink(process.stderr), c.level, `supervisor:${id}`);
    const supervisor = new Supervisor({
      id,
      host: (values.host as string | undefined) ?? '127.0.0.1',
      slots,
      cpu: positive('--cpu', values.cpu, availableParallelism() * 100),
      memoryMb: positive('--memory', values.memory, Math.floor(totalmem() / 1024 / 1024)),
      zookeeper: c.zookeeper,
      zkRoot: c.zkRoot,
      stateDir: resolve((values['state-dir'] as string | undefined) ?? join('.state', 'supervisors', id)),
      bundles: c.bundles,
      logger,
      metricsPortOffset: values['metrics-offset'] === undefined ? 1000 : nonNegativeInt('--metrics-offset', values['metrics-offset']),
    });
    await supervisor.start();
    process.stdout.write(`supervisor ${id} offers slots ${slots.join(', ')} (ZooKeeper ${c.zookeeper}${c.zkRoot})\n`);
    return () => supervisor.stop();
  });
}
