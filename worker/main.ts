/**
 * The worker process's command line, as a supervisor starts it:
 *
 *   node --import tsx worker/main.ts --topology-file topologies/x.ts --topology-id x-1 \
 *     --supervisor sup-1 --port 6700 --zookeeper 127.0.0.1:2181 [--zk-root /squall] [-c key=value]
 *
 * Exit codes: 0 stopped (by a signal, or its assignment changed: start it again), 1 failed,
 * 2 bad usage, 3 invalid topology file.
 */
import { parseArgs } from 'node:util';
import { type LogLevel, createLogger, parseConfigOverride } from '../core/index.js';
import { DEFAULT_ZK_ROOT } from './cluster/cluster-state.js';
import { consoleSink } from './log/console-log.js';
import { loadBundle } from './topology/bundle-loader.js';
import { TopologyLoadError, loadTopology } from './topology/load-topology.js';
import { WorkerProcess } from './worker-process.js';

const HELP = `Usage: node worker/main.ts (--bundle <file.bundle.mjs> | --topology-file <file>) --topology-id <id> --supervisor <id> --port <n> --zookeeper <host:port> [options]

Runs the executors that a topology's assignment in ZooKeeper places on <supervisor>:<port>.
Supervisors start workers; run one by hand only to debug.

Options:
  --zk-root <path>      ZooKeeper root (default ${DEFAULT_ZK_ROOT}).
  --metrics-port <n>    Serve Prometheus metrics at http://<host>:<n>/metrics.
  -c, --config <k=v>    Topology config override; repeatable.
  --log-level <level>   debug, info, warn or error (default info).
  -h, --help            Show this help.

Exit codes: 0 stopped, 1 failed, 2 bad usage, 3 invalid topology file.`;

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'topology-file': { type: 'string' },
        bundle: { type: 'string' },
        'topology-id': { type: 'string' },
        supervisor: { type: 'string' },
        port: { type: 'string' },
        zookeeper: { type: 'string' },
        'zk-root': { type: 'string' },
        'metrics-port': { type: 'string' },
        config: { type: 'string', short: 'c', multiple: true },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    process.stderr.write(`worker: ${(error as Error).message}\n${HELP}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const missing = ['topology-id', 'supervisor', 'port', 'zookeeper'].filter((k) => values[k as keyof typeof values] === undefined);
  if (values.bundle === undefined && values['topology-file'] === undefined) missing.unshift('bundle (or --topology-file)');
  const port = Number(values.port);
  if (missing.length > 0 || !(Number.isInteger(port) && port > 0 && port < 65536)) {
    process.stderr.write(`worker: ${missing.length > 0 ? `missing --${missing.join(', --')}` : `--port must be a port number, got '${values.port}'`}\n${HELP}\n`);
    return 2;
  }
  const config: Record<string, unknown> = {};
  for (const c of values.config ?? []) {
    const [k, v] = parseConfigOverride(c);
    config[k] = v;
  }
  const level = (values['log-level'] ?? 'info') as LogLevel;
  const logger = createLogger(consoleSink(process.stderr), level, `worker:${values.supervisor}:${port}`);
  // Loaded once the worker has read the config the topology was submitted with.
  const topology = (submitted: Readonly<Record<string, unknown>>) =>
    values.bundle !== undefined ? loadBundle(values.bundle, { config: submitted }) : loadTopology(values['topology-file']!, { typecheck: false, config: submitted });
  const metricsPort = values['metrics-port'] === undefined ? undefined : Number(values['metrics-port']);
  if (metricsPort !== undefined && !(Number.isInteger(metricsPort) && metricsPort > 0 && metricsPort < 65536)) {
    process.stderr.write(`worker: --metrics-port must be a port number, got '${values['metrics-port']}'\n${HELP}\n`);
    return 2;
  }
  const worker = new WorkerProcess({ topology, topologyId: values['topology-id']!, supervisor: values.supervisor!, port, zookeeper: values.zookeeper!, zkRoot: values['zk-root'] ?? DEFAULT_ZK_ROOT, config, logger, ...(metricsPort === undefined ? {} : { metricsPort }) });
  let signals = 0;
  const onSignal = (signal: string) => {
    if (++signals > 1) process.exit(4);
    void worker.stop(`${signal}`);
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  try {
    await worker.start();
  } catch (error) {
    process.stderr.write(`worker ${values.supervisor}:${port}: could not start: ${(error as Error).message}\n`);
    await worker.stop('start failed');
    return error instanceof TopologyLoadError ? 3 : 1;
  }
  await worker.stopped;
  const failure = worker.failure;
  if (failure === undefined) return 0;
  // The last line: the reason the worker stopped.
  process.stderr.write(`worker ${values.supervisor}:${port}: '${failure.component}' task ${failure.task} cannot go on: ${failure.message}${failure.code ? ` [${failure.code}]` : ''}\n`);
  return 1;
}

process.exitCode = await main(process.argv.slice(2));
