/** The machine line every results section carries: CPU, cores, memory, load, Node and Java. */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';

/** `java -version` prints to stderr: `openjdk version "17.0.15" 2025-04-15`. */
function javaVersion(): string {
  const r = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const m = /version "([^"]+)"/.exec(`${r.stderr ?? ''}${r.stdout ?? ''}`);
  return m === null ? 'none' : m[1]!;
}

export function machineLine(): string {
  const c = cpus();
  return `${c[0]?.model.trim() ?? 'unknown CPU'}, ${c.length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, Java ${javaVersion()}; load average at start ${loadavg().map((x) => x.toFixed(1)).join(' ')}`;
}
