/** Builds a peer's code once per `npm run bench`: runs a command and fails with its output's tail. */
import { spawnSync } from 'node:child_process';

export function runOrThrow(argv: string[], cwd: string, what: string): void {
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) {
    const tail = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-8).join('\n');
    throw new Error(`${what} failed (${argv.join(' ')} in ${cwd}, exit ${r.status ?? r.error?.message}):\n${tail}`);
  }
}
