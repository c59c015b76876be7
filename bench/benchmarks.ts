/**
 * The benchmarks `npm run bench` runs, in this order. Add yours with registerBenchmark (see
 * harness/registry.ts); cluster mode's and Kafka → HDFS's belong here once their children print
 * the measurement line.
 */
import { registerBenchmark } from './harness/registry.js';
import { bareLoopCase, squallCase, squallLatencyCase } from './peers/squall.js';
import { stormCase } from './peers/storm.js';
import { qtopologyCase } from './peers/qtopology.js';
import { webrequestCase } from './peers/webrequest.js';

const squall = { acked1: squallCase(true, 1), unacked1: squallCase(false, 1), acked2: squallCase(true, 2), unacked2: squallCase(false, 2) };

registerBenchmark({
  name: 'engine',
  title: 'Engine against its limit: ConstSpout → IdBolt → NullBolt, local mode, and the same calls in a bare loop',
  note:
    'Squall (`bench/peers/squall/const-id-null.ts`, one warm-up run, then a timed run) against the same three calls in a plain loop with no engine (`bench/peers/bare-loop.ts`): batches of 1,024 tuples through each stage, and with acking, Storm\'s XOR acking done inline (a root slot, a random 64-bit edge id per emit, XORed on emit and ack, the spout\'s ack at zero).',
  cases: [squall.acked1, squall.unacked1, bareLoopCase(true), bareLoopCase(false)],
  ratios: [
    { label: 'Squall acked / bare loop acked', of: 'squall-acked-1', to: ['loop-acked'], target: 0.8 },
    { label: 'Squall unacked / bare loop unacked', of: 'squall-unacked-1', to: ['loop-unacked'], target: 0.4 },
  ],
});

const stormSettings = (acking: boolean, executors: number) => [stormCase(acking, executors, 'default'), stormCase(acking, executors, 'tuned')];
const storm = { acked1: stormSettings(true, 1), acked2: stormSettings(true, 2), unacked1: stormSettings(false, 1), unacked2: stormSettings(false, 2) };
const ids = (cs: readonly { id: string }[]) => cs.map((c) => c.id);
registerBenchmark({
  name: 'storm',
  title: 'Engine against Apache Storm 2.8.0 LocalCluster: ConstSpout → IdBolt → NullBolt',
  note:
    'storm-perf\'s ConstSpoutIdBoltNullBoltTopo shape written out in Java (`bench/peers/storm/`), one worker, in a LocalCluster; tuples counted at the null bolt over a 10 s window after 5 s of warm-up. "defaults" is Storm\'s configuration untouched; "tuned" sets producer and transfer batches of 500, a 1 ms batch flush, `maxSpoutPending` 5,000 and one acker per spout executor (acked), a stats sample rate of 0.0001, progressive wait strategies and 32,768-slot receive queues. Each ratio is against the better of the two, named in the table. Squall runs the same shape in local mode (one thread, whatever the executor count).',
  cases: [squall.acked1, squall.acked2, squall.unacked1, squall.unacked2, ...storm.acked1, ...storm.acked2, ...storm.unacked1, ...storm.unacked2],
  ratios: [
    { label: 'Squall / Storm, acking on, 1 executor', of: 'squall-acked-1', to: ids(storm.acked1), target: 5 },
    { label: 'Squall / Storm, acking on, 2 executors', of: 'squall-acked-2', to: ids(storm.acked2), target: 5 },
    { label: 'Squall acked (1 executor) / Storm\'s best acked setting', of: 'squall-acked-1', to: ids([...storm.acked1, ...storm.acked2]), target: 5 },
    { label: 'Squall / Storm, acking off, 1 executor', of: 'squall-unacked-1', to: ids(storm.unacked1) },
    { label: 'Squall / Storm, acking off, 2 executors', of: 'squall-unacked-2', to: ids(storm.unacked2) },
  ],
});

const qtopology = [qtopologyCase('default'), qtopologyCase('tuned')];
registerBenchmark({
  name: 'qtopology',
  title: 'Engine against qtopology 2.3.2: the same spout → bolt → bolt',
  note:
    'qtopology\'s in-process local topology (`bench/peers/qtopology/`, its own package.json). It has no acker: its spout asks for the next message when the whole chain has called back, which is the closest it comes to acked delivery, so Squall acked is set against it. Ratios are against the better of its two settings.',
  cases: [squall.acked1, squall.unacked1, ...qtopology],
  ratios: [
    { label: 'Squall acked / qtopology', of: 'squall-acked-1', to: ids(qtopology), target: 5 },
    { label: 'Squall unacked / qtopology', of: 'squall-unacked-1', to: ids(qtopology) },
  ],
});

registerBenchmark({
  name: 'memory',
  title: 'Memory: topologies/webrequest.ts in local mode, generator input at full speed',
  note:
    'The whole webrequest topology (`bench/peers/webrequest-local.ts`: generator → refine (1 refine thread on 2 cores) → Avro files, pageview counts, sequence statistics, errors) in one process, as fast as it takes records. The issue\'s target: at most 512 MiB steady. The engine bench\'s RSS is in the tables above.',
  cases: [webrequestCase()],
  ratios: [],
});

registerBenchmark({
  name: 'latency',
  title: 'Latency: complete latency at 50% and 90% of the maximum rate, ConstSpout → IdBolt → NullBolt, acked',
  note:
    'Each child first measures its own maximum acked rate (a warm-up run and a timed run, as in the engine benchmark), then offers 50% or 90% of it for 5 s from a spout that holds back to that rate, and times every tuple from its emit to the spout\'s `ack`. On a shared machine the maximum is itself measured under load, so the offered rate can exceed what the process gets later: queueing then shows in p99.',
  cases: [squallLatencyCase(0.5), squallLatencyCase(0.9)],
  ratios: [],
});
