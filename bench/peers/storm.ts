/**
 * Apache Storm's cases: storm-perf's ConstSpoutIdBoltNullBoltTopo shape (bench/peers/storm/) in
 * a LocalCluster, acking on and off, 1 and 2 executors per component, with Storm's defaults and
 * a tuned profile. The jar and its classpath are built with Maven on first use (Storm's jars
 * come from Maven Central into ~/.m2; the build lands in bench/peers/storm/target, gitignored).
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchCase } from '../harness/registry.js';
import { runOrThrow } from './prepare.js';

const dir = join(import.meta.dirname, 'storm');
const jar = join(dir, 'target', 'storm-peer-1.jar');
const classpath = join(dir, 'target', 'classpath.txt');
export const STORM_VERSION = '2.8.0';

let built = false;
async function prepareStorm(): Promise<void> {
  if (built) return;
  if (!existsSync(jar) || !existsSync(classpath)) {
    process.stderr.write(`downloading Storm ${STORM_VERSION} from Maven Central (first use; cached in ~/.m2) and building bench/peers/storm…\n`);
    build();
  } else if (newestSource(dir) > statSync(jar).mtimeMs) {
    process.stderr.write('bench/peers/storm changed: rebuilding its jar…\n');
    build();
  }
  built = true;
}

/** The newest modification time among the Maven project's sources (pom.xml and src/). */
function newestSource(root: string): number {
  const walk = (p: string): number => (statSync(p).isDirectory() ? Math.max(0, ...readdirSync(p).map((n) => walk(join(p, n)))) : statSync(p).mtimeMs);
  return Math.max(walk(join(root, 'pom.xml')), walk(join(root, 'src')));
}

function build(): void {
  runOrThrow(['mvn', '-q', '-B', 'package', 'dependency:build-classpath', `-Dmdep.outputFile=${classpath}`, '-DskipTests'], dir, 'building the Storm peer (needs Java 17 and Maven: apt-get install openjdk-17-jdk-headless maven)');
}

/** Seconds of warm-up and of measurement per Storm run; `--quick` shortens them. */
export const stormWindow = { warmup: 5, seconds: 10 };

export function stormCase(acking: boolean, executors: number, profile: 'default' | 'tuned'): BenchCase {
  return {
    id: `storm-${acking ? 'acked' : 'unacked'}-${executors}-${profile}`,
    system: 'Apache Storm',
    label: `acking ${acking ? 'on' : 'off'}, ${executors} executor${executors > 1 ? 's' : ''}, ${profile === 'tuned' ? 'tuned' : 'defaults'}`,
    prepare: prepareStorm,
    command: () => ({
      argv: [
        'java', '-cp', `${jar}:${readFileSync(classpath, 'utf8').trim()}`, 'squall.bench.ConstIdNull',
        '--acking', acking ? 'on' : 'off', '--executors', String(executors), '--profile', profile,
        '--warmup', String(stormWindow.warmup), '--seconds', String(stormWindow.seconds),
      ],
      cwd: dir,
    }),
  };
}
