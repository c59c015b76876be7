/**
 * Squall's side of Storm's messaging benchmark (storm-perf's ConstSpoutIdBoltNullBoltTopo) in
 * local mode: a spout emitting one constant string, a bolt passing each tuple on, a bolt dropping
 * it. One warm-up run, then one timed run; prints one JSON line (tuples, wallMs, cpuMs).
 *
 *   node --import tsx bench/peers/squall/const-id-null.ts [--acking on|off] [--executors 1] [--tuples 2000000]
 */
import { parseArgs } from 'node:util';
import { type Bolt, type OutputCollector, type Spout, type SpoutOutputCollector, type Tuple, TopologyRuntime, shuffle, topology } from '../../../core/index.js';
import { timedRun } from '../timed-run.js';

const { values: args } = parseArgs({
  options: {
    acking: { type: 'string', default: 'on' },
    executors: { type: 'string', default: '1' },
    tuples: { type: 'string', default: '2000000' },
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

class ConstSpout implements Spout {
  #collector!: SpoutOutputCollector;
  #id = 0;
  open(_c: unknown, collector: SpoutOutputCollector): void {
    this.#collector = collector;
  }
  nextTuple(): void {
    if (remaining <= 0) return;
    remaining--;
    if (acking) this.#collector.emit(['some data'], this.#id++);
    else this.#collector.emit(['some data']);
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
console.log(JSON.stringify({ tuples: N, ...m, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
