/**
 * The commands that talk to a running cluster through Nimbus's HTTP API: submit, list, status,
 * kill, activate, deactivate, rebalance and errors. Each prints for people by default, and
 * `--json` (where it reads) prints what the API answered.
 */
import { parseArgs } from 'node:util';
import { compileConfig, parseConfigOverride } from '../../core/index.js';
import { TopologyLoadError, loadConfigKeys } from '../../worker/index.js';
import { bundleTopology } from '../submit/bundle-topology.js';
import { ClusterCommandError, DEFAULT_NIMBUS, NimbusClient } from './cluster-client.js';
import { ExitCode } from './exit-codes.js';

const CONNECTION_HELP = `  --nimbus <host:port>  Nimbus to talk to (default: SQUALL_NIMBUS, else ${DEFAULT_NIMBUS}).
                        Any Nimbus of the cluster will do: a standby forwards changes.`;
const TOKEN_HELP = `  --token <token>       The cluster token (default: SQUALL_TOKEN, else the token file
                        that nimbus start / dev-cluster wrote: ~/.config/squall/token).`;
const EXIT_HELP = `Exit codes: 0 done, 1 failed, 2 bad usage, 3 invalid topology, 5 Nimbus unreachable,
6 token missing or wrong, 7 refused (name taken, no free slots, bad value), 8 no such topology.`;

export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;
  readonly optionsHelp: string;
  readonly positionals: number;
  readonly mutates: boolean;
  readonly run: (client: NimbusClient, args: string[], values: Record<string, unknown>) => Promise<number>;
}

function helpOf(spec: CommandSpec): string {
  return `Usage: nimbus ${spec.usage}

${spec.summary}

Options:
${spec.optionsHelp ? `${spec.optionsHelp}\n` : ''}${CONNECTION_HELP}
${spec.mutates ? `${TOKEN_HELP}\n` : ''}  -h, --help            Show this help.

${EXIT_HELP}`;
}

export function command(spec: CommandSpec) {
  const help = helpOf(spec);
  const run = async (argv: string[]): Promise<number> => {
    let parsed;
    try {
      parsed = parseArgs({ args: argv, allowPositionals: true, options: { ...spec.options, nimbus: { type: 'string' }, token: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
    } catch (error) {
      process.stderr.write(`nimbus ${spec.name}: ${(error as Error).message}\n\n${help}\n`);
      return ExitCode.USAGE;
    }
    const { values, positionals } = parsed;
    if (values.help) {
      process.stdout.write(`${help}\n`);
      return ExitCode.OK;
    }
    if (positionals.length !== spec.positionals) {
      process.stderr.write(`nimbus ${spec.name}: ${positionals.length < spec.positionals ? 'missing' : 'too many'} arguments\n\n${help}\n`);
      return ExitCode.USAGE;
    }
    const client = new NimbusClient({ ...(values.nimbus === undefined ? {} : { nimbus: values.nimbus as string }), ...(values.token === undefined ? {} : { token: values.token as string }) });
    try {
      return await spec.run(client, positionals, values);
    } catch (error) {
      if (error instanceof ClusterCommandError) {
        process.stderr.write(`nimbus ${spec.name}: ${error.message}\n`);
        return error.exitCode;
      }
      if (error instanceof TopologyLoadError) {
        process.stderr.write(`nimbus ${spec.name}: ${error.message}\nNothing was submitted.\n`);
        return ExitCode.TOPOLOGY_INVALID;
      }
      throw error;
    }
  };
  return { summary: spec.summary.split('\n')[0]!, run, help };
}

function usage(name: string, message: string): never {
  throw new ClusterCommandError(`${message} (see nimbus ${name} --help)`, ExitCode.USAGE);
}

function positiveInt(name: string, flag: string, value: unknown): number {
  const n = Number(value);
  if (!(Number.isInteger(n) && n >= 1)) usage(name, `${flag} must be a whole number of at least 1, got '${String(value)}'`);
  return n;
}

function seconds(name: string, flag: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!(Number.isFinite(n) && n >= 0)) usage(name, `${flag} is a number of seconds, got '${String(value)}'`);
  return n;
}

/** Refuses a config that the topology's declared keys do not allow, before anything is bundled or sent (Nimbus checks it again). */
async function checkConfig(file: string, config: Readonly<Record<string, unknown>>): Promise<void> {
  const keys = await loadConfigKeys(file);
  if (keys === undefined) return;
  try {
    compileConfig(keys, config, file);
  } catch (error) {
    throw new ClusterCommandError(`${(error as Error).message}\nNothing was submitted.`, ExitCode.USAGE);
  }
}

const table = (rows: string[][]): string => {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
};

const duration = (s: number) => (s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m${s % 60}s` : `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`);

interface TopologyPage {
  id: string;
  name: string;
  status: string;
  epoch: number;
  uptimeSeconds: number;
  workersTotal: number;
  workersWanted: number;
  executorsTotal: number;
  workers: { supervisorId: string; host: string; port: number; executors: string[]; running: boolean; lastBeatSecondsAgo: number | null }[];
  spouts: ({ spoutId: string } & ComponentView)[];
  bolts: ({ boltId: string } & ComponentView)[];
}
interface ComponentView {
  executors: number;
  tasks: number;
  emitted: number;
  executed: number;
  acked: number;
  failed: number;
  lastError: string;
  placement: { id: string; supervisor?: string; port?: number }[];
}

/** Resolves once every worker of the topology runs under its current epoch, or throws after `s`. */
async function untilRunning(client: NimbusClient, name: string, s: number): Promise<TopologyPage> {
  const deadline = Date.now() + s * 1000;
  let last: TopologyPage | undefined;
  for (;;) {
    last = await client.get<TopologyPage>(`/topology/${encodeURIComponent(name)}`);
    if (last.workers.length > 0 && last.workers.every((w) => w.running)) return last;
    if (Date.now() > deadline) {
      const waiting = last.workers.filter((w) => !w.running).map((w) => `${w.supervisorId}:${w.port}`);
      throw new ClusterCommandError(`'${name}' is not running after ${s} s: waiting for ${waiting.join(', ') || 'an assignment'} (see nimbus status ${name}, and the supervisors' worker logs)`, ExitCode.FAILURE);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

export const CLUSTER_COMMANDS = {
  submit: command({
    name: 'submit',
    summary: 'Submit a topology file to the cluster\nThe file is type-checked and bundled with esbuild (Squall and npm packages stay out of the\nbundle: each worker uses its own install); Nimbus loads the bundle in a child process to check\nit, stores it in HDFS, and assigns its executors to workers.',
    usage: 'submit <topology.ts> [options]',
    positionals: 1,
    mutates: true,
    options: { name: { type: 'string' }, workers: { type: 'string' }, config: { type: 'string', short: 'c', multiple: true }, 'no-typecheck': { type: 'boolean' }, wait: { type: 'string' } },
    optionsHelp: `  --name <name>         Name it (default: the name in the topology file).
  --workers <n>         Worker processes to spread it over (default 1).
  -c, --config <k=v>    Topology config, as for nimbus local; repeatable. Checked against
                        the keys the topology declares before anything is sent (exit 2).
  --wait <seconds>      Wait until every worker runs (default: return once assigned).
  --no-typecheck        Skip type-checking (bundling still reports syntax errors).`,
    async run(client, [file], values) {
      const config: Record<string, unknown> = {};
      for (const c of (values.config as string[] | undefined) ?? []) {
        try {
          const [k, v] = parseConfigOverride(c);
          config[k] = v;
        } catch (error) {
          usage('submit', (error as Error).message);
        }
      }
      const workers = values.workers === undefined ? 1 : positiveInt('submit', '--workers', values.workers);
      const wait = seconds('submit', '--wait', values.wait, 0);
      // Type errors first, as file:line; then the config against the keys the topology declares.
      const bundle = await bundleTopology(file!, { typecheck: values['no-typecheck'] !== true });
      await checkConfig(file!, config);
      process.stderr.write(`bundled ${file} (${Math.ceil(bundle.code.length / 1024)} KiB); submitting to ${client.address}\n`);
      const answer = await client.post<{ id: string; name: string; workers: number; epoch: number; bundle: string }>('/topology', { ...(values.name === undefined ? {} : { name: values.name }), code: bundle.code, workers, config });
      process.stdout.write(`submitted '${answer.name}' as ${answer.id} on ${answer.workers} worker${answer.workers === 1 ? '' : 's'} (assignment epoch ${answer.epoch}; bundle ${answer.bundle})\n`);
      if (wait > 0) {
        const page = await untilRunning(client, answer.id, wait);
        process.stdout.write(`running: ${page.workers.map((w) => `${w.supervisorId}:${w.port}`).join(', ')}\n`);
      } else process.stdout.write(`watch it with: nimbus status ${answer.name}\n`);
      return ExitCode.OK;
    },
  }),
  list: command({
    name: 'list',
    summary: 'List the topologies of the cluster',
    usage: 'list [--json]',
    positionals: 0,
    mutates: false,
    options: { json: { type: 'boolean' } },
    optionsHelp: '  --json                Print the API answer as JSON.',
    async run(client, _args, values) {
      const answer = await client.get<{ topologies: { id: string; name: string; status: string; workersTotal: number; executorsTotal: number; uptimeSeconds: number; epoch: number }[] }>('/topology/summary');
      if (values.json) process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
      else if (answer.topologies.length === 0) process.stdout.write('no topologies run: submit one with nimbus submit <topology.ts>\n');
      else process.stdout.write(`${table([['NAME', 'ID', 'STATUS', 'WORKERS', 'EXECUTORS', 'EPOCH', 'UPTIME'], ...answer.topologies.map((t) => [t.name, t.id, t.status, String(t.workersTotal), String(t.executorsTotal), String(t.epoch), duration(t.uptimeSeconds)])])}\n`);
      return ExitCode.OK;
    },
  }),
  status: command({
    name: 'status',
    summary: 'Show one topology: its workers, and per component its executors, where they run, and counts',
    usage: 'status <name> [--json]',
    positionals: 1,
    mutates: false,
    options: { json: { type: 'boolean' } },
    optionsHelp: '  --json                Print the API answer as JSON.',
    async run(client, [name], values) {
      const t = await client.get<TopologyPage>(`/topology/${encodeURIComponent(name!)}`);
      if (values.json) {
        process.stdout.write(`${JSON.stringify(t, null, 2)}\n`);
        return ExitCode.OK;
      }
      const running = t.workers.filter((w) => w.running).length;
      process.stdout.write(`${t.name} (${t.id}): ${t.status}, epoch ${t.epoch}, up ${duration(t.uptimeSeconds)}, ${running} of ${t.workersTotal} workers running (${t.workersWanted} wanted), ${t.executorsTotal} executors\n\n`);
      process.stdout.write(`${table([['WORKER', 'HOST', 'STATE', 'LAST BEAT', 'EXECUTORS'], ...t.workers.map((w) => [`${w.supervisorId}:${w.port}`, w.host, w.running ? 'running' : 'starting', w.lastBeatSecondsAgo === null ? '-' : `${w.lastBeatSecondsAgo}s ago`, w.executors.join(' ')])])}\n\n`);
      const rows = [...t.spouts.map((s) => ({ id: s.spoutId, kind: 'spout', ...s })), ...t.bolts.map((b) => ({ id: b.boltId, kind: 'bolt', ...b }))];
      process.stdout.write(`${table([['COMPONENT', 'KIND', 'EXECUTORS', 'TASKS', 'EMITTED', 'EXECUTED', 'ACKED', 'FAILED', 'WORKERS', 'LAST ERROR'], ...rows.map((c) => [c.id, c.kind, String(c.executors), String(c.tasks), String(c.emitted), String(c.executed), String(c.acked), String(c.failed), [...new Set(c.placement.map((p) => `${p.supervisor}:${p.port}`))].join(' '), c.lastError.slice(0, 60)])])}\n`);
      return ExitCode.OK;
    },
  }),
  kill: command({
    name: 'kill',
    summary: "Kill a topology: its spouts stop at once, its workers after --wait seconds; then its state and bundle are removed",
    usage: 'kill <name> [--wait <seconds>]',
    positionals: 1,
    mutates: true,
    options: { wait: { type: 'string' } },
    optionsHelp: '  --wait <seconds>      Deactivate its spouts at once, and stop its workers this long after,\n                        so that what is in flight can complete (default 0).',
    async run(client, [name], values) {
      const wait = seconds('kill', '--wait', values.wait, 0);
      const r = await client.post<{ id: string; name: string }>(`/topology/${encodeURIComponent(name!)}/kill/${wait}`);
      process.stdout.write(`killed '${r.name}' (${r.id})${wait > 0 ? `: its workers stop in ${wait} s` : ''}\n`);
      return ExitCode.OK;
    },
  }),
  activate: activation(true),
  deactivate: activation(false),
  rebalance: command({
    name: 'rebalance',
    summary: "Change a topology's worker count or executors per component, and place it again",
    usage: 'rebalance <name> [--workers <n>] [--executors <component=n>]...',
    positionals: 1,
    mutates: true,
    options: { workers: { type: 'string' }, executors: { type: 'string', short: 'e', multiple: true }, wait: { type: 'string' } },
    optionsHelp: `  --workers <n>         Worker processes wanted.
  -e, --executors <c=n> Executors of component c (up to its tasks); repeatable.
  --wait <seconds>      Wait until every worker runs the new assignment.`,
    async run(client, [name], values) {
      const executors: Record<string, number> = {};
      for (const e of (values.executors as string[] | undefined) ?? []) {
        const i = e.indexOf('=');
        if (i <= 0) usage('rebalance', `--executors takes component=count, got '${e}'`);
        executors[e.slice(0, i)] = positiveInt('rebalance', `--executors ${e.slice(0, i)}`, e.slice(i + 1));
      }
      if (values.workers === undefined && Object.keys(executors).length === 0) usage('rebalance', 'say what to change: --workers or --executors');
      const body = { ...(values.workers === undefined ? {} : { workers: positiveInt('rebalance', '--workers', values.workers) }), ...(Object.keys(executors).length === 0 ? {} : { executors }) };
      const r = await client.post<{ id: string; name: string; workers: number }>(`/topology/${encodeURIComponent(name!)}/rebalance/0`, body);
      process.stdout.write(`rebalancing '${r.name}' (${r.id}) to ${r.workers} workers\n`);
      const wait = seconds('rebalance', '--wait', values.wait, 0);
      if (wait > 0) {
        const page = await untilRunning(client, r.id, wait);
        process.stdout.write(`running under epoch ${page.epoch}: ${page.workers.map((w) => `${w.supervisorId}:${w.port}`).join(', ')}\n`);
      }
      return ExitCode.OK;
    },
  }),
  errors: command({
    name: 'errors',
    summary: "Show the last errors of a topology's components (10 per component)",
    usage: 'errors <name> [--json]',
    positionals: 1,
    mutates: false,
    options: { json: { type: 'boolean' } },
    optionsHelp: '  --json                Print the API answer as JSON.',
    async run(client, [name], values) {
      const r = await client.get<{ id: string; name: string; components: Record<string, { component: string; task: number; worker: string; message: string; time: number }[]> }>(`/topology/${encodeURIComponent(name!)}/errors`);
      if (values.json) {
        process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
        return ExitCode.OK;
      }
      const all = Object.values(r.components).flat().sort((a, b) => a.time - b.time);
      if (all.length === 0) process.stdout.write(`no errors in '${r.name}'\n`);
      else process.stdout.write(`${table([['TIME', 'COMPONENT', 'TASK', 'WORKER', 'MESSAGE'], ...all.map((e) => [new Date(e.time).toISOString(), e.component, String(e.task), e.worker, e.message])])}\n`);
      return ExitCode.OK;
    },
  }),
};

function activation(active: boolean) {
  const name = active ? 'activate' : 'deactivate';
  return command({
    name,
    summary: active ? "Activate a topology's spouts again" : "Deactivate a topology's spouts: they stop emitting, and what is in flight completes",
    usage: `${name} <name>`,
    positionals: 1,
    mutates: true,
    options: {},
    optionsHelp: '',
    async run(client, [topology]) {
      const r = await client.post<{ id: string; name: string; status: string }>(`/topology/${encodeURIComponent(topology!)}/${name}`);
      process.stdout.write(`'${r.name}' (${r.id}) is ${r.status}\n`);
      return ExitCode.OK;
    },
  });
}
