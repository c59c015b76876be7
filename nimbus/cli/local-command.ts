/** `nimbus local <topology.ts>`: run a topology in this process, with nothing installed. */
import { parseArgs } from 'node:util';
import { type ComponentError, type LogLevel, SquallError, TopologyValidationError, createLogger, parseConfigOverride } from '../../core/index.js';
import { LocalCluster } from '../local/local-cluster.js';
import { LocalUi } from '../local/local-ui.js';
import { runVerdict } from '../local/run-verdict.js';
import { alreadyCompleteLine } from '../local/already-complete.js';
import { StatusLine, inputProgress, summaryTable } from '../local/status-line.js';
import { MetricsServer, PrometheusBridge, TopologyLoadError, consoleSink, loadConfigKeys, loadTopology } from '../../worker/index.js';
import { configKeysHelp } from './config-keys-help.js';
import { ExitCode } from './exit-codes.js';
import { onInterrupt } from './signals.js';

export const LOCAL_HELP = `Usage: nimbus local <topology.ts> [options]
       nimbus local <topology.ts> --help    (also lists the topology's config keys)

Runs a topology in this process (local mode): the same executors, acking and queues as a
cluster worker, with in-memory cluster state and no service to install. The file is
type-checked first; a mistake is shown as file:line and nothing runs.

The run ends when --duration has passed, on Ctrl-C, SIGTERM or SIGHUP, or when the process that
started it exits (a second signal stops at once; one during start-up stops at once), or by
itself when every spout is finite (a file, say) and every tuple is acked and flushed. It also
ends when a component cannot go on (a Kafka spout whose consumer failed for good, say): what is
in flight is drained and committed, and the run exits 1 with the reason as its last line.

Options:
  -c, --config <key=value>   Set a topology config key; repeatable. Values are JSON when
                             they parse as JSON (500, true), text otherwise.
                             e.g. -c maxSpoutPending=500 -c input=data.ndjson
                             A topology that declares its keys refuses an unknown key or a
                             bad value before anything runs (exit 2).
  -d, --duration <seconds>   Stop after this many seconds.
      --follow               Keep reading: a file input picks up files that appear later
                             (the same as -c follow=true); stop with Ctrl-C or --duration.
      --status-interval <s>  Seconds between status lines (default: 1 on a terminal, 5 otherwise).
      --no-typecheck         Skip type-checking the topology file (starts faster).
      --metrics-port <port>  Serve Prometheus metrics on http://127.0.0.1:<port>/metrics
                             (0 picks a free port; the URL is printed).
      --ui [port]            Serve the web UI and Nimbus's REST API (/api/v1, as a cluster's)
                             on http://127.0.0.1:<port> (default 8080; 0 picks a free port),
                             for a browser and 'nimbus monitor'. Changes (deactivate, kill)
                             need the token: --token, SQUALL_TOKEN, or the one printed.
      --token <token>        The token the UI's changes need (default: SQUALL_TOKEN, else a
                             random one, printed).
      --log-level <level>    debug, info, warn or error (default: info).
  -q, --quiet                No status line; only the summary and warnings.
  -h, --help                 Show this help.

A writer whose storage cannot take writes (a full disk, a quota, safe mode) holds its input and
retries; past storageDeadlineMs (-c storageDeadlineMs=..., default 5 minutes) the run stops.
A run that leaves records unwritten, or gave records up to the errors output, says how many
and exits 1: re-run the same command once the cause is fixed (committed output is kept, and
nothing is duplicated).

Exit codes: 0 done, every record written; 1 failed while running, or records not written or
given up; 2 bad usage or config (an output that cannot be written, say); 3 invalid topology
file; 4 shutdown deadline passed with tuples in flight; 130 interrupted twice or during start-up.`;

/** True when `error`, or an error it wraps (a component's failed `open`), is a config error. */
function isConfigError(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause) if (e instanceof SquallError && e.code === 'SQUALL_ERR_INVALID_CONFIG') return true;
  return false;
}

/** The command's help, and the config keys of `file` when one is named. */
async function help(file: string | undefined): Promise<number> {
  if (file === undefined) {
    process.stdout.write(`${LOCAL_HELP}\n`);
    return ExitCode.OK;
  }
  let keys;
  try {
    keys = await loadConfigKeys(file);
  } catch (error) {
    process.stderr.write(`nimbus local: ${(error as Error).message}\n`);
    return ExitCode.TOPOLOGY_INVALID;
  }
  process.stdout.write(`${LOCAL_HELP}\n\n${configKeysHelp(file, keys)}\n`);
  return ExitCode.OK;
}

export async function localCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      // `--ui` takes an optional port: `--ui`, `--ui 8080`, `--ui=8080`.
      args: argv.flatMap((a, i) => (a === '--ui' ? [`--ui-port=${/^\d+$/.test(argv[i + 1] ?? '') ? argv[i + 1] : '8080'}`] : a.startsWith('--ui=') ? [`--ui-port=${a.slice(5)}`] : /^\d+$/.test(a) && argv[i - 1] === '--ui' ? [] : [a])),
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c', multiple: true },
        duration: { type: 'string', short: 'd' },
        'status-interval': { type: 'string' },
        'no-typecheck': { type: 'boolean' },
        'metrics-port': { type: 'string' },
        'ui-port': { type: 'string' },
        token: { type: 'string' },
        'log-level': { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
        follow: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    process.stderr.write(`nimbus local: ${(error as Error).message}\n\n${LOCAL_HELP}\n`);
    return ExitCode.USAGE;
  }
  const { values, positionals } = parsed;
  if (values.help) return help(positionals[0]);
  const usage = (message: string) => {
    process.stderr.write(`nimbus local: ${message}\nRun 'nimbus local --help' for usage.\n`);
    return ExitCode.USAGE;
  };
  if (positionals.length !== 1) return usage(positionals.length === 0 ? 'name a topology file, e.g. nimbus local examples/word-count.ts' : `expected one topology file, got ${positionals.length}`);
  const duration = values.duration === undefined ? undefined : Number(values.duration);
  if (duration !== undefined && !(duration > 0)) return usage(`--duration must be a positive number of seconds, got '${values.duration}'`);
  const level = (values['log-level'] ?? 'info') as LogLevel;
  if (!['debug', 'info', 'warn', 'error'].includes(level)) return usage(`--log-level must be debug, info, warn or error, got '${level}'`);
  const tty = process.stderr.isTTY === true;
  const interval = Number(values['status-interval'] ?? (tty ? 1 : 5));
  if (!(interval > 0)) return usage(`--status-interval must be a positive number of seconds`);

  const metricsPort = values['metrics-port'] === undefined ? undefined : Number(values['metrics-port']);
  if (metricsPort !== undefined && !(Number.isInteger(metricsPort) && metricsPort >= 0 && metricsPort < 65536)) {
    return usage(`--metrics-port must be a port number (0 for any free port), got '${values['metrics-port']}'`);
  }
  const uiPort = values['ui-port'] === undefined ? undefined : Number(values['ui-port']);
  if (uiPort !== undefined && !(Number.isInteger(uiPort) && uiPort >= 0 && uiPort < 65536)) return usage(`--ui must be followed by a port number (0 for any free port), got '${values['ui-port']}'`);
  const overrides: Record<string, unknown> = {};
  try {
    for (const c of values.config ?? []) {
      const [key, value] = parseConfigOverride(c);
      overrides[key] = value;
    }
  } catch (error) {
    return usage((error as Error).message);
  }
  if (values.follow) overrides.follow = true;

  // Until the topology runs there is nothing to drain: an interrupt during start-up (a slow
  // type-check, a service that does not answer) stops at once.
  let running = false;
  onInterrupt((why) => {
    if (running) return;
    process.stderr.write(`nimbus local: ${why} during start-up: stopped before the topology ran\n`);
    process.exit(ExitCode.ABORTED);
  });
  const status = new StatusLine();
  const logger = createLogger(consoleSink(process.stderr, () => status.clear()), level, 'squall');
  let topology;
  try {
    topology = await loadTopology(positionals[0]!, { typecheck: !values['no-typecheck'], config: overrides });
  } catch (error) {
    if (isConfigError(error)) {
      process.stderr.write(`nimbus local: ${(error as Error).message}\nNothing ran.\n`);
      return ExitCode.USAGE;
    }
    if (error instanceof TopologyLoadError || error instanceof TopologyValidationError) {
      process.stderr.write(`nimbus local: ${error.message}\n`);
      return ExitCode.TOPOLOGY_INVALID;
    }
    throw error;
  }

  const cluster = new LocalCluster({ logger });
  let metricsServer: MetricsServer | undefined;
  if (metricsPort !== undefined) {
    const bridge = new PrometheusBridge();
    bridge.add(cluster.metrics);
    metricsServer = new MetricsServer(bridge);
    try {
      logger.info(`metrics at ${await metricsServer.listen({ port: metricsPort })}`);
    } catch (error) {
      return usage(`cannot serve metrics on port ${metricsPort}: ${(error as Error).message}`);
    }
  }
  let runtime;
  try {
    runtime = await cluster.submit(topology, overrides);
  } catch (error) {
    // An output that cannot be written, a bad value: the config code, not the lifecycle one wrapping it.
    const code = isConfigError(error) ? ' [SQUALL_ERR_INVALID_CONFIG]' : error instanceof SquallError ? ` [${error.code}]` : '';
    process.stderr.write(`nimbus local: topology '${topology.name}' failed to start${code}: ${(error as Error).message}\n`);
    return isConfigError(error) ? ExitCode.USAGE : ExitCode.FAILURE;
  }
  running = true;
  let ui: LocalUi | undefined;
  if (uiPort !== undefined) {
    try {
      ui = await LocalUi.start({ cluster, port: uiPort, token: values.token ?? process.env.SQUALL_TOKEN, logger });
    } catch (error) {
      await cluster.kill(topology.name);
      return usage(`cannot serve the UI on port ${uiPort}: ${(error as Error).message}`);
    }
  }
  logger.info(`running topology '${topology.name}' in local mode`, { components: topology.components.length, ...(duration ? { duration } : {}) });

  const started = performance.now();
  status.start();
  const ticker = values.quiet ? undefined : setInterval(() => status.update(runtime.stats(), inputProgress(cluster.metrics, topology.name)), interval * 1000);
  let failure: ComponentError | undefined;
  let completed = false;
  let interruptedBy: string | undefined;
  let reason = await new Promise<string>((resolve) => {
    void runtime.completion.then(() => {
      completed = true;
      resolve('input exhausted');
    });
    void runtime.failure.then((error) => {
      failure = error;
      resolve(`'${error.component}' task ${error.task} cannot go on`);
    });
    if (duration !== undefined) setTimeout(() => resolve(`duration of ${duration} s reached`), duration * 1000).unref();
    onInterrupt((why) => {
      interruptedBy = why;
      resolve(why);
    });
  });
  if (ticker) clearInterval(ticker);
  status.clear();
  if (interruptedBy !== undefined) logger.info(`${interruptedBy}: draining in-flight tuples (Ctrl-C again to stop at once)`);
  if (failure !== undefined) logger.error(`stopping: ${reason}; draining in-flight tuples`);
  // Read before the kill, which drops the topology's metrics.
  const alreadyComplete = alreadyCompleteLine(cluster.metrics, topology.name, completed && failure === undefined);
  const report = await cluster.kill(topology.name);
  if (report.forced) reason += `; shutdown deadline passed with ${report.inFlight} tuple trees in flight`;

  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const stats = runtime.stats();
  const verdict = runVerdict(stats, { reason, completed: completed && failure === undefined, failure, forced: report.forced });
  process.stdout.write(`\nTopology '${topology.name}' stopped after ${seconds} s: ${verdict.headline}.\n${summaryTable(stats)}\n`);
  if (verdict.records !== undefined) process.stdout.write(`${verdict.records}\n`);
  if (alreadyComplete !== undefined) process.stdout.write(`${alreadyComplete}\n`);
  for (const [component, errors] of runtime.lastErrors()) {
    const last = errors[errors.length - 1]!;
    process.stdout.write(`last error of '${component}' (${errors.length} kept): ${last.message}\n`);
  }
  // The closing block: where the output went and what it holds, as the topology tells it.
  if (report.closing.length > 0) process.stdout.write(`\n${report.closing.join('\n')}\n`);
  await metricsServer?.close();
  await ui?.close();
  if (failure !== undefined) {
    // The last line, whatever was printed before it: scripts and people read the reason here.
    process.stderr.write(`nimbus local: topology '${topology.name}' failed: ${failure.component}[${failure.task}]: ${failure.message}${failure.code ? ` [${failure.code}]` : ''}\n`);
    return ExitCode.FAILURE;
  }
  return verdict.exitCode;
}
