/**
 * The webrequest refinery in local mode, against a single tight loop doing the same work
 * (parse, classify, geotag, HMAC, serialize) on the same lines, in the same run.
 *
 *   node --import tsx bench/webrequest.ts [--records 100000] [--runs 3] [--format ndjson|avro] [--threads N] [--set key=value ...]
 *
 * The topology run is the whole local-mode topology (sequence check, pageview counts and error
 * output included) writing to a temporary directory; the loop serializes to memory: JSON text,
 * or Avro encoded into blocks as the sink's writer encodes them (without compression).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { TopologyRuntime, parseConfigOverride } from '../core/index.js';
import { type Timing, cpuMsSince, tightLoop } from './webrequest-loop.js';
import { WebrequestGenerator } from '../spouts/generator/index.js';
import webrequest, { defaultRefineThreads } from '../topologies/webrequest.js';

const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '3' },
    format: { type: 'string', default: 'ndjson' },
    threads: { type: 'string' },
    // Topology config overrides, as with `nimbus -c`: --set maxSpoutPending=2000 (repeatable).
    set: { type: 'string', multiple: true, default: [] },
  },
});
const N = Number(args.records);
const RUNS = Number(args.runs);
const format = args.format as 'ndjson' | 'avro';
// The topology's own default unless given: see topologies/webrequest.ts.
const threadsConfig = args.threads === undefined ? {} : { threads: Number(args.threads) };
const overrides = Object.fromEntries(args.set.map((kv) => parseConfigOverride(kv)));

const dir = mkdtempSync(join(tmpdir(), 'squall-bench-webrequest-'));
const input = join(dir, 'input.ndjson');
const generator = new WebrequestGenerator({ seed: 7 });
const lines: string[] = [];
for (let i = 0; i < N; i++) lines.push(generator.nextLine());
writeFileSync(input, `${lines.join('\n')}\n`);

async function topologyRun(run: number): Promise<Timing> {
  const output = join(dir, `out-${run}`);
  const config = { input, output, format, ...threadsConfig, ...overrides };
  const runtime = new TopologyRuntime({ topology: webrequest.make(config), config });
  const started = performance.now();
  const cpu = process.cpuUsage();
  await runtime.start();
  await runtime.completion;
  const elapsed = { ms: performance.now() - started, cpuMs: cpuMsSince(cpu) };
  await runtime.stop();
  const acked = runtime.stats().components.source!.acked;
  if (acked !== N) throw new Error(`source acked ${acked} of ${N}`);
  return elapsed;
}

const rate = (ms: number) => Math.round(N / (ms / 1000)).toLocaleString('en-US');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const loop: Timing[] = [];
const topo: Timing[] = [];
for (let r = 0; r < RUNS; r++) {
  loop.push(await tightLoop(lines, format));
  topo.push(await topologyRun(r));
  const [l, t] = [loop[r]!, topo[r]!];
  process.stderr.write(`run ${r + 1}/${RUNS}: loop ${rate(l.ms)}/s, topology ${rate(t.ms)}/s (${(l.ms / t.ms).toFixed(2)}x); CPU ms loop ${l.cpuMs.toFixed(0)}, topology ${t.cpuMs.toFixed(0)}\n`);
}
rmSync(dir, { recursive: true, force: true });

const wall = (xs: Timing[]) => median(xs.map((x) => x.ms));
const cpuOf = (xs: Timing[]) => median(xs.map((x) => x.cpuMs));
console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`);
console.log(`records: ${N}, runs: ${RUNS}, format: ${format}, threads: ${args.threads ?? `${defaultRefineThreads()} (the default)`}${args.set.length > 0 ? `, config: ${args.set.join(' ')}` : ''}, median shown`);
console.log(`tight loop   ${rate(wall(loop)).padStart(9)} records/s   CPU ${((cpuOf(loop) * 1000) / N).toFixed(1)} µs/record`);
console.log(`topology     ${rate(wall(topo)).padStart(9)} records/s   CPU ${((cpuOf(topo) * 1000) / N).toFixed(1)} µs/record   ${(wall(loop) / wall(topo)).toFixed(2)}x the tight loop`);
// Each run times the loop and the topology back to back, so its ratio is less exposed to a
// shared machine's swings than the ratio of the two medians; CPU time is not inflated by them.
console.log(`median of the per-run ratios ${median(loop.map((l, r) => l.ms / topo[r]!.ms)).toFixed(2)}x; by CPU time ${(cpuOf(loop) / cpuOf(topo)).toFixed(2)}x`);
