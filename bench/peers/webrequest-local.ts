/**
 * topologies/webrequest.ts in local mode fed by its generator as fast as it takes records (the
 * default input), writing to a temporary directory; for the memory benchmark, whose harness
 * samples this process's RSS every second. Prints one JSON line {"tuples","wallMs","cpuMs"},
 * tuples being the source's acked records.
 *
 *   node --import tsx bench/peers/webrequest-local.ts [--records 300000] [--set key=value ...]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { TopologyRuntime, parseConfigOverride } from '../../core/index.js';
import webrequest from '../../topologies/webrequest.js';
import { timedRun } from './timed-run.js';

const { values: args } = parseArgs({
  options: { records: { type: 'string', default: '300000' }, set: { type: 'string', multiple: true, default: [] }, help: { type: 'boolean', short: 'h' } },
});
if (args.help) {
  console.log('usage: node --import tsx bench/peers/webrequest-local.ts [--records N] [--set key=value ...]');
  process.exit(0);
}
const N = Number(args.records);
const dir = mkdtempSync(join(tmpdir(), 'squall-bench-wr-memory-'));
try {
  const config = { input: 'generator', records: N, output: join(dir, 'out'), ...Object.fromEntries(args.set.map((kv) => parseConfigOverride(kv))) };
  const runtime = new TopologyRuntime({ topology: webrequest.make(config), config });
  const timing = await timedRun(runtime);
  const acked = runtime.stats().components.source!.acked;
  if (acked !== N) throw new Error(`source acked ${acked} of ${N}`);
  console.log(JSON.stringify({ tuples: N, ...timing, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0); // the refine pool lingers 30 s for a next topology; this process has none
