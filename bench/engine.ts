/**
 * Engine throughput: spout → bolt → bolt in local mode, with acking on and off, against a
 * baseline in the same run: a tight loop making the same component calls with no engine.
 * `acking, no timing` runs with `metricsTiming: false` (no latency histograms), so the cost of
 * recording metrics shows as its ratio to `acking`, interleaved in the same run.
 *
 *   node --import tsx bench/engine.ts [--tuples 2000000] [--runs 5]
 *
 * Prints tuples per second and nanoseconds per tuple for each mode (median of the runs).
 */
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { type Bolt, type OutputCollector, type Spout, type SpoutOutputCollector, type Tuple, TopologyRuntime, shuffle, topology } from '../core/index.js';

const { values: args } = parseArgs({
  options: { tuples: { type: 'string', default: '2000000' }, runs: { type: 'string', default: '5' }, help: { type: 'boolean', short: 'h' } },
});
if (args.help) {
  console.log('usage: node --import tsx bench/engine.ts [--tuples N] [--runs R]');
  process.exit(0);
}
const N = Number(args.tuples);
const RUNS = Number(args.runs);

class CountingSpout implements Spout {
  #collector!: SpoutOutputCollector;
  #i = 0;
  acked = 0;
  constructor(readonly tracked: boolean) {}
  open(_c: unknown, collector: SpoutOutputCollector): void {
    this.#collector = collector;
  }
  nextTuple(): void {
    if (this.#i >= N) return;
    const i = this.#i++;
    if (this.tracked) this.#collector.emit([i], i);
    else this.#collector.emit([i]);
  }
  ack(): void {
    this.acked++;
  }
  exhausted(): boolean {
    return this.#i >= N;
  }
}

class IncrementBolt implements Bolt {
  #collector!: OutputCollector;
  prepare(_c: unknown, collector: OutputCollector): void {
    this.#collector = collector;
  }
  execute(tuple: Tuple): void {
    this.#collector.emit([(tuple.values[0] as number) + 1]);
  }
}

class SumBolt implements Bolt {
  sum = 0;
  execute(tuple: Tuple): void {
    this.sum += tuple.values[0] as number;
  }
}

async function runEngine(acking: boolean, metricsTiming = true): Promise<number> {
  const t = topology('bench-engine', { acking, metricsTiming, maxSpoutPending: 5000, queueCapacity: 4096, batchSize: 1024 })
    .spout('spout', { create: () => new CountingSpout(acking), outputs: { default: ['n'] } })
    .bolt('increment', { create: () => new IncrementBolt(), inputs: [{ from: 'spout', grouping: shuffle() }], outputs: { default: ['n'] } })
    .bolt('sum', { create: () => new SumBolt(), inputs: [{ from: 'increment', grouping: shuffle() }] })
    .build();
  const runtime = new TopologyRuntime({ topology: t });
  const started = performance.now();
  await runtime.start();
  await runtime.completion;
  const elapsed = performance.now() - started;
  await runtime.stop();
  const s = runtime.stats().components;
  if (s.sum!.executed !== N) throw new Error(`sum executed ${s.sum!.executed}, expected ${N}`);
  if (acking && s.spout!.acked !== N) throw new Error(`spout acked ${s.spout!.acked}, expected ${N}`);
  return elapsed;
}

/** The same three calls per tuple, with no engine between them. */
function runBaseline(): number {
  let sum = 0;
  const inc = (v: number) => v + 1;
  const started = performance.now();
  const values: number[][] = [];
  for (let i = 0; i < N; i++) {
    values.push([i]);
    const out = [inc(values[values.length - 1]![0]!)];
    sum += out[0]!;
    if (values.length === 1024) values.length = 0;
  }
  const elapsed = performance.now() - started;
  if (sum === 0) throw new Error('unreachable');
  return elapsed;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const results: Record<string, number[]> = { baseline: [], acking: [], 'acking, no timing': [], 'no acking': [] };
const cpu: Record<string, number[]> = { acking: [], 'acking, no timing': [] };
const withCpu = async (mode: string, run: () => Promise<number>) => {
  const before = process.cpuUsage();
  results[mode]!.push(await run());
  const used = process.cpuUsage(before);
  cpu[mode]?.push((used.user + used.system) / 1000);
};
for (let r = 0; r < RUNS; r++) {
  results.baseline!.push(runBaseline());
  // Alternate which goes first, so neither always runs on a warmer heap.
  if (r % 2 === 0) {
    await withCpu('acking', () => runEngine(true));
    await withCpu('acking, no timing', () => runEngine(true, false));
  } else {
    await withCpu('acking, no timing', () => runEngine(true, false));
    await withCpu('acking', () => runEngine(true));
  }
  results['no acking']!.push(await runEngine(false));
  process.stderr.write(`run ${r + 1}/${RUNS} done\n`);
}

console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`);
console.log(`tuples per run: ${N}, runs: ${RUNS}, median shown`);
const base = median(results.baseline!);
for (const [mode, times] of Object.entries(results)) {
  const ms = median(times);
  const rate = N / (ms / 1000);
  console.log(
    `${mode.padEnd(18)} ${Math.round(rate).toLocaleString('en-US').padStart(12)} tuples/s  ${((ms * 1e6) / N).toFixed(0).padStart(6)} ns/tuple  ${(base / ms).toFixed(3)}x baseline`,
  );
}
const on = median(results.acking!);
const off = median(results['acking, no timing']!);
console.log(`metrics timing cost: wall ${((on / off - 1) * 100).toFixed(1)}% (acking ${on.toFixed(0)} ms vs no timing ${off.toFixed(0)} ms), CPU ${((median(cpu.acking!) / median(cpu['acking, no timing']!) - 1) * 100).toFixed(1)}%`);
