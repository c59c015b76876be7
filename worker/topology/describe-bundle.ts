/**
 * What Nimbus needs to know of a submitted bundle, learnt in a child process so that the
 * topology's code never runs inside Nimbus:
 *
 *   node --import tsx worker/topology/describe-bundle.ts <file.bundle.mjs> [config as JSON]
 *
 * Prints one JSON line (a {@link BundleDescription}) and exits 0, or prints why the bundle is
 * not a valid topology on stderr and exits 3.
 */
import { TopologyRuntime, messageOf } from '../../core/index.js';
import { loadBundle } from './bundle-loader.js';
import { type BundleDescription, describeTopology } from './topology-description.js';

async function main(argv: string[]): Promise<number> {
  const [file, configJson] = argv;
  if (file === undefined) {
    process.stderr.write('usage: describe-bundle <file.bundle.mjs> [config as JSON]\n');
    return 2;
  }
  try {
    const config = configJson === undefined ? {} : (JSON.parse(configJson) as Record<string, unknown>);
    const topology = await loadBundle(file, { config });
    // Validates as a run would: components, streams, groupings, config.
    new TopologyRuntime({ topology, config });
    const description: BundleDescription = describeTopology(topology);
    process.stdout.write(`${JSON.stringify(description)}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`${messageOf(error)}\n`);
    return 3;
  }
}

// Exits at once: a topology that leaves a handle open (a timer, a socket) must not hold Nimbus up.
process.exit(await main(process.argv.slice(2)));
