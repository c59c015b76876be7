/**
 * Squall's side of Storm's messaging benchmark (storm-perf's ConstSpoutIdBoltNullBoltTopo) in
 * local mode: a spout emitting one constant string, a bolt passing each tuple on, a bolt dropping
 * it. One warm-up run, then one timed run; prints one JSON line (tuples, wallMs, cpuMs).
 *
 * With `--rate-fraction F` (acking on) a third run offers F times the timed run's rate for
 * `--seconds`, the spout holding back to that rate, and the line is that run's, with the complete
 * latency of every tuple (emit to the spout's ack): p50, p99 and p99.9 in ms.
 *
 *   node --import tsx bench/peers/squall/const-id-null.ts [--acking on|off] [--executors 1] [--tuples 2000000] [--rate-fraction 0.5 --seconds 5]
 */
import { parseArgs } from 'node:util';
import { type Bolt, type OutputCollector, type Spout, type SpoutOutputCollector, type Tuple, TopologyRuntime, shuffle, topology } from '../../../core/index.js';
import { timedRun } from '../timed-run.js';

const { values: args } = parseArgs({
  options: {
    acking: { type: 'string', default: 'on' },
    executors: { type: 'string', default: '1' },
    tuples: { type: 'string', default: '2000000' },
    'rate-fraction': { type: 'string' },
    seconds: { type: 'string', default: '5' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  console.log('usage: node --import tsx bench/peers/squall/const-id-null.ts [--acking on|off] [--executors N] [--tuples N]');
  process.exit(0);
}
const acking = args.acking === 'on';
const executors = Number(args.executors);

/** Tuples left to emit in this run, shared by every spout task of the process. */
let remaining = 0;
/** The rate-limited run: tuples per second offered (0: as fast as taken), and when each was emitted. */
const limit = { rate: 0, startedAt: 0, emitted: 0, emitAt: new Float64Array(0), latencies: new Float64Array(0), acked: 0 };

class ConstSpout implements Spout {
  #collector!: SpoutOutputCollector;
  #id = 0;
  open(_c: unknown, collector: SpoutOutputCollector): void {
    this.#collector = collector;
  }
  nextTuple(): void {
    if (remaining <= 0) return;
    if (limit.rate > 0) {
      const now = performance.now();
      if (limit.startedAt === 0) limit.startedAt = now; // the clock starts at the first call, not at start-up
      if (limit.emitted >= ((now - limit.startedAt) / 1000) * limit.rate) return; // ahead of the offered rate
      limit.emitAt[limit.emitted++] = now;
    }
    remaining--;
    if (acking) this.#collector.emit(['some data'], this.#id++);
    else this.#collector.emit(['some data']);
  }
  ack(msgId: unknown): void {
    if (limit.rate > 0) limit.latencies[limit.acked++] = performance.now() - limit.emitAt[msgId as number]!;
  }
  exhausted(): boolean {
    return remaining <= 0;
  }
}

class IdBolt implements Bolt {
  #collector!: OutputCollector;
  prepare(_c: unknown, collector: OutputCollector): void {
    this.#collector = collector;
  }
  execute(tuple: Tuple): void {
    this.#collector.emit(tuple.values as unknown[]); // the same values, as Storm's IdBolt passes getValues(); anchored to the input, which is then acked (auto mode)
  }
}

class NullBolt implements Bolt {
  execute(): void {}
}

async function run(tuples: number): Promise<{ wallMs: number; cpuMs: number }> {
  remaining = tuples;
  const t = topology('const-id-null', { acking, maxSpoutPending: 5000, queueCapacity: 4096, batchSize: 1024 })
    .spout('spout', { create: () => new ConstSpout(), parallelism: executors, outputs: { default: ['str'] } })
    .bolt('id', { create: () => new IdBolt(), parallelism: executors, inputs: [{ from: 'spout', grouping: shuffle() }], outputs: { default: ['str'] } })
    .bolt('null', { create: () => new NullBolt(), parallelism: executors, inputs: [{ from: 'id', grouping: shuffle() }] })
    .build();
  const runtime = new TopologyRuntime({ topology: t });
  const timing = await timedRun(runtime);
  const s = runtime.stats().components;
  if (s.null!.executed !== tuples) throw new Error(`null executed ${s.null!.executed}, expected ${tuples}`);
  if (acking && s.spout!.acked !== tuples) throw new Error(`spout acked ${s.spout!.acked}, expected ${tuples}`);
  return timing;
}

const N = Number(args.tuples);
await run(Math.max(1000, Math.floor(N / 5))); // warm-up: JIT, then the timed run
const m = await run(N);
const fraction = args['rate-fraction'] === undefined ? undefined : Number(args['rate-fraction']);
if (fraction === undefined) {
  console.log(JSON.stringify({ tuples: N, ...m, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
} else {
  if (!acking || !(fraction > 0 && fraction <= 1)) throw new Error('--rate-fraction needs --acking on and a fraction in (0, 1]');
  const rate = (N / m.wallMs) * 1000 * fraction;
  const tuples = Math.max(1000, Math.round(rate * Number(args.seconds)));
  Object.assign(limit, { rate, emitted: 0, acked: 0, emitAt: new Float64Array(tuples), latencies: new Float64Array(tuples), startedAt: 0 });
  const limited = await run(tuples);
  const sorted = limit.latencies.subarray(0, limit.acked).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const latency = { offered: Math.round(rate), p50Ms: at(0.5), p99Ms: at(0.99), p999Ms: at(0.999) };
  console.log(JSON.stringify({ tuples, ...limited, maxRssMiB: process.resourceUsage().maxRSS / 1024, latency }));
}
