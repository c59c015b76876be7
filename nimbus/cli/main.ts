/** The `nimbus` command line: one subcommand per job, each with its own --help. */
import { readFileSync } from 'node:fs';
import { ExitCode } from './exit-codes.js';
import { GENERATE_HELP, generateCommand } from './generate-command.js';
import { LOCAL_HELP, localCommand } from './local-command.js';
import { installSignalHandlers } from './signals.js';
import { CLUSTER_COMMANDS } from './cluster-commands.js';
import { MONITOR_COMMAND } from './monitor-command.js';
import { START_HELP, SUPERVISOR_HELP, startCommand, supervisorCommand } from './daemon-commands.js';
import { DEV_CLUSTER_HELP, devClusterCommand } from './dev-cluster-command.js';

const COMMANDS: Record<string, { summary: string; run: (argv: string[]) => Promise<number>; help: string }> = {
  local: { summary: 'Run a topology in this process (local mode, nothing to install)', run: localCommand, help: LOCAL_HELP },
  generate: { summary: 'Write synthetic varnishkafka webrequests to a file, stdout or Kafka', run: generateCommand, help: GENERATE_HELP },
  ...CLUSTER_COMMANDS,
  monitor: MONITOR_COMMAND,
  start: { summary: 'Run a Nimbus daemon (leader election, scheduler, HTTP API)', run: startCommand, help: START_HELP },
  supervisor: { summary: "Run a supervisor daemon: this machine's worker slots", run: supervisorCommand, help: SUPERVISOR_HELP },
  'dev-cluster': { summary: 'Start a whole cluster on this machine (ZooKeeper, HDFS, Nimbus, supervisors)', run: devClusterCommand, help: DEV_CLUSTER_HELP },
  version: { summary: 'Show the version', run: async () => (process.stdout.write(`nimbus (squall) ${version()}\n`), ExitCode.OK), help: 'Usage: nimbus version\n\nShows the version of this Squall install.' },
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

const HELP = `Usage: nimbus <command> [options]

Squall's command line: run a topology in this process (local), make synthetic traffic for it
(generate), run a cluster's daemons (start, supervisor), and submit and manage topologies on a
cluster (submit, list, status, kill, activate, deactivate, rebalance, errors).

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(12)} ${c.summary}`)
  .join('\n')}

Run 'nimbus <command> --help' for a command's options.

Options:
  -h, --help     Show this help.
  -v, --version  Show the version.`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    const topic = command === 'help' ? rest[0] : undefined;
    if (topic !== undefined && COMMANDS[topic]) process.stdout.write(`${COMMANDS[topic].help}\n`);
    else process.stdout.write(`${HELP}\n`);
    return command === undefined ? ExitCode.USAGE : ExitCode.OK;
  }
  if (command === '-v' || command === '--version') {
    process.stdout.write(`nimbus (squall) ${version()}\n`);
    return ExitCode.OK;
  }
  const entry = COMMANDS[command];
  if (entry === undefined) {
    process.stderr.write(`nimbus: unknown command '${command}'. Commands: ${Object.keys(COMMANDS).join(', ')}. Run 'nimbus --help'.\n`);
    return ExitCode.USAGE;
  }
  // The daemons outlive the shell that started them; every other command stops with it.
  installSignalHandlers({ foreground: command !== 'start' && command !== 'supervisor' });
  try {
    return await entry.run(rest);
  } catch (error) {
    const code = (error as { code?: unknown })?.code;
    process.stderr.write(`nimbus ${command}: ${(error as Error)?.message ?? String(error)}${typeof code === 'string' ? ` [${code}]` : ''}\n`);
    if (process.env.SQUALL_DEBUG) process.stderr.write(`${(error as Error)?.stack ?? ''}\n`);
    return ExitCode.FAILURE;
  }
}
