/**
 * Cluster mode, end to end: `topologies/webrequest.ts` submitted to a real cluster (one Nimbus,
 * one supervisor with two slots, as `nimbus start` and `nimbus supervisor` processes), reading a
 * Kafka topic and writing Avro to HDFS, exactly once with acking on. Against, in the same run, the
 * single-thread tight loop of the same work (bench/webrequest-loop.ts).
 *
 *   node --import tsx bench/cluster.ts [--records 200000] [--partitions 6] [--runs 3] [--only webrequest|chain] [--chain-tuples 5000000]
 *
 * Sides: 1 and 2 workers, with the refine stage on the worker's threads (`threads=1`) and on the
 * main thread (`threads=0`). Each side reads the topic from the start with a new consumer group
 * into a new HDFS directory. Every second it samples the records committed in HDFS and the CPU
 * time of every process of the cluster (Nimbus, supervisor, workers: /proc/<pid>/stat), and it
 * measures from the sample where a tenth of the records is committed to the one where all are:
 * the workers' start (loading the bundle, starting threads) and the group join are left out.
 * Complete latency is read from the workers' /metrics (the spout's histogram) at the end; the
 * buckets bound it, so it is given as "≤ bucket".
 *
 * The chain (`bench/topologies/chain.ts`, spout → id → sink, acking on) on 1 worker against 2
 * workers gives the cross-worker transport's own cost per tuple: the difference in CPU per tuple,
 * since on 2 workers each tuple or its ack crosses a process boundary.
 *
 * Needs ZooKeeper, Kafka and HDFS from infra/ (`bash infra/up.sh`).
 */
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { WebHdfsFileSystem, scanOutput } from '../bolts/hdfs/index.js';
import { WebrequestGenerator } from '../spouts/generator/index.js';
import { ensureTopic, produceLines } from '../spouts/kafka/index.js';
import { loadInfraSettings } from '../infra/settings.js';
import { TestCluster } from '../test/support/cluster.js';
import { tightLoop, type Timing } from './webrequest-loop.js';

const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '200000' },
    partitions: { type: 'string', default: '6' },
    runs: { type: 'string', default: '3' },
    only: { type: 'string' },
    'chain-tuples': { type: 'string', default: '5000000' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  console.log('usage: node --import tsx bench/cluster.ts [--records N] [--partitions P] [--runs R] [--only webrequest|chain] [--chain-tuples N]');
  process.exit(0);
}
const N = Number(args.records);
const PARTITIONS = Number(args.partitions);
const RUNS = Number(args.runs);
const CHAIN_TUPLES = Number(args['chain-tuples']);
const infra = loadInfraSettings();
const brokers = [...infra.kafka.brokers];
const hdfsUrl = `http://${infra.hdfs.host}:${infra.hdfs.webhdfsPort}`;
const suffix = `${process.pid}-${Date.now().toString(36)}`;
const CLK_TCK = 100;

/** CPU time of a process so far (user + system, every thread), in ms; 0 once it is gone. */
function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return 0;
  }
}

/** The pids of every process of the cluster: daemons and workers. */
function clusterPids(cluster: TestCluster): number[] {
  const daemons = [...cluster.nimbuses.values(), ...cluster.supervisors.values()].map((d) => d.child.pid!);
  return [...daemons, ...[...cluster.slots.keys()].flatMap((id) => cluster.workerPids(id))];
}

interface Sample {
  readonly at: number;
  readonly done: number;
  readonly cpuMs: number;
}

/** Samples (time, work done, cluster CPU) every second until `done` reaches `total`. */
async function sampleUntil(cluster: TestCluster, total: number, done: () => Promise<number>, timeoutMs: number): Promise<Sample[]> {
  const samples: Sample[] = [];
  // CPU of workers that ended (a restart) is lost from the sum: there are none in a clean run.
  const seen = new Map<number, number>();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const pid of clusterPids(cluster)) seen.set(pid, Math.max(seen.get(pid) ?? 0, processCpuMs(pid)));
    const sample = { at: performance.now(), done: await done(), cpuMs: [...seen.values()].reduce((a, b) => a + b, 0) };
    samples.push(sample);
    if (sample.done >= total) return samples;
    if (Date.now() > deadline) throw new Error(`only ${sample.done} of ${total} done after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/** Rate and CPU per unit between the first sample past `from` of the total and the last. */
function window(samples: readonly Sample[], total: number, from = 0.1): { perSecond: number; cpuUsPerUnit: number } {
  // The last sample before a tenth was done (the sink commits in steps, so the next may be the end).
  const at = samples.findIndex((s) => s.done >= total * from);
  const first = samples[Math.max(0, at - 1)]!;
  const last = samples.at(-1)!;
  const units = last.done - first.done;
  if (units <= 0) throw new Error('no progress between the samples: use more records');
  return { perSecond: units / ((last.at - first.at) / 1000), cpuUsPerUnit: ((last.cpuMs - first.cpuMs) * 1000) / units };
}

/** The spout's complete-latency quantiles from every worker's /metrics, as bucket bounds in ms. */
async function completeLatency(cluster: TestCluster): Promise<{ p50: number; p99: number }> {
  const buckets = new Map<number, number>();
  for (const ports of cluster.slots.values()) {
    for (const port of ports) {
      const text = await fetch(`http://127.0.0.1:${port + 1000}/metrics`).then((r) => r.text(), () => '');
      for (const m of text.matchAll(/^squall_complete_latency_seconds_bucket\{[^}]*le="([^"]+)"[^}]*\} (\S+)$/gm)) {
        const le = m[1] === '+Inf' ? Infinity : Number(m[1]);
        buckets.set(le, (buckets.get(le) ?? 0) + Number(m[2]));
      }
    }
  }
  const cumulative = [...buckets].sort((a, b) => a[0] - b[0]);
  const count = cumulative.at(-1)?.[1] ?? 0;
  const quantile = (q: number) => (cumulative.find(([, n]) => n >= q * count)?.[0] ?? NaN) * 1000;
  return { p50: quantile(0.5), p99: quantile(0.99) };
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

const cluster = new TestCluster({ label: 'bench-cluster', supervisors: 1, slots: 2 });
const fs = new WebHdfsFileSystem({ url: hdfsUrl });
const kafka = new Kafka({ brokers, clientId: 'squall-bench-cluster', logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
process.stderr.write(`starting a cluster: 1 Nimbus, 1 supervisor with 2 slots (ZooKeeper root ${cluster.zkRoot})\n`);
await cluster.start();

let submitted = 0;
/** Submits `file`, samples it until `total` is done, kills it; returns the samples and latency. */
async function runOnCluster(file: string, workers: number, config: Record<string, string | number>, total: number, done: (name: string) => Promise<number>) {
  const name = `bench-${++submitted}`;
  const submit = () => cluster.cli(['submit', file, '--name', name, '--workers', String(workers), '--wait', '120', ...Object.entries(config).flatMap(([k, v]) => ['-c', `${k}=${v}`])]);
  let run = await submit();
  // The last side's slots free up once its workers have stopped, a little after its kill.
  for (let tries = 0; run.code === 7 && /worker slots/.test(run.stderr) && tries < 60; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    run = await submit();
  }
  if (run.code !== 0) throw new Error(`submit exited ${run.code}: ${run.stderr}`);
  try {
    const samples = await sampleUntil(cluster, total, () => done(name), 600_000);
    return { ...window(samples, total), latency: await completeLatency(cluster) };
  } finally {
    await cluster.cli(['kill', name, '--wait', '60']);
  }
}

interface Side {
  readonly label: string;
  readonly perSecond: number[];
  readonly cpuUs: number[];
  readonly p50: number[];
  readonly p99: number[];
}
const side = (label: string): Side => ({ label, perSecond: [], cpuUs: [], p50: [], p99: [] });

try {
  console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`);
  if (args.only === undefined || args.only === 'webrequest') {
    const topic = `squall-bench-cluster-${suffix}`;
    await ensureTopic(brokers, topic, { partitions: PARTITIONS });
    const generator = new WebrequestGenerator({ seed: 31, hosts: 8, malformedShare: 0, incompleteShare: 0, recordsPerSecond: 50, startMs: Date.UTC(2026, 10, 22, 10, 0) });
    const lines = Array.from({ length: N }, () => JSON.stringify(generator.next().record!));
    process.stderr.write(`producing ${fmt(N)} records into ${topic} (${PARTITIONS} partitions)\n`);
    await produceLines(brokers, topic, lines.map((value, i) => ({ value, partition: i % PARTITIONS })), { batchSize: 1000 });
    const loop: Timing[] = [];
    const sides = [
      { workers: 1, threads: 0 },
      { workers: 1, threads: 1 },
      { workers: 2, threads: 0 },
      { workers: 2, threads: 1 },
    ].map((s) => ({ ...s, result: side(`${s.workers} worker${s.workers > 1 ? 's' : ''}, threads=${s.threads}`) }));
    for (let r = 0; r < RUNS; r++) {
      loop.push(await tightLoop(lines, 'avro'));
      for (const s of sides) {
        const output = `/squall-bench/cluster-${suffix}/run-${r}-w${s.workers}-t${s.threads}`;
        const config = { input: 'kafka', topics: topic, groupId: `${topic}-${r}-${s.workers}-${s.threads}`, hdfs: hdfsUrl, output, format: 'avro', threads: s.threads, eventTimeReference: 'stream' };
        const committed = async () => {
          const scan = await scanOutput(fs, `${output}/webrequest`).catch(() => undefined);
          let n = 0;
          for (let p = 0; p < PARTITIONS; p++) n += scan?.committed.get(`${topic}/${p}`)?.nextMissing(0) ?? 0;
          return n;
        };
        const m = await runOnCluster('topologies/webrequest.ts', s.workers, config, N, committed);
        s.result.perSecond.push(m.perSecond);
        s.result.cpuUs.push(m.cpuUsPerUnit);
        s.result.p50.push(m.latency.p50);
        s.result.p99.push(m.latency.p99);
        await fs.delete(output, { recursive: true }).catch(() => {});
        process.stderr.write(`run ${r + 1}/${RUNS} ${s.result.label}: ${fmt(m.perSecond)} records/s, CPU ${m.cpuUsPerUnit.toFixed(1)} µs/record, complete latency p50 ≤ ${m.latency.p50} ms, p99 ≤ ${m.latency.p99} ms\n`);
      }
      process.stderr.write(`run ${r + 1}/${RUNS} tight loop: ${fmt(N / (loop[r]!.ms / 1000))} records/s, CPU ${((loop[r]!.cpuMs * 1000) / N).toFixed(1)} µs/record\n`);
    }
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    const loopCpuUs = median(loop.map((l) => (l.cpuMs * 1000) / N));
    console.log(`\nwebrequest, Kafka → HDFS (Avro), exactly once, acking on: ${fmt(N)} records, ${PARTITIONS} partitions, ${RUNS} interleaved runs, medians`);
    console.log(`${'side'.padEnd(24)} ${'records/s'.padStart(10)} ${'CPU µs/rec'.padStart(11)} ${'× loop CPU'.padStart(11)} ${'p50 ≤ ms'.padStart(9)} ${'p99 ≤ ms'.padStart(9)}`);
    console.log(`${'tight loop (1 thread)'.padEnd(24)} ${fmt(median(loop.map((l) => N / (l.ms / 1000)))).padStart(10)} ${loopCpuUs.toFixed(1).padStart(11)} ${'1.00'.padStart(11)}`);
    for (const { result: s } of sides) {
      const cpu = median(s.cpuUs);
      console.log(`${s.label.padEnd(24)} ${fmt(median(s.perSecond)).padStart(10)} ${cpu.toFixed(1).padStart(11)} ${(cpu / loopCpuUs).toFixed(2).padStart(11)} ${String(median(s.p50)).padStart(9)} ${String(median(s.p99)).padStart(9)}`);
    }
  }
  if (args.only === undefined || args.only === 'chain') {
    const one = side('chain, 1 worker');
    const two = side('chain, 2 workers');
    for (let r = 0; r < RUNS; r++) {
      for (const [workers, s] of [[1, one], [2, two]] as const) {
        const acked = async (name: string) => {
          const page = await cluster.json<{ spouts: { spoutId: string; acked: number }[] }>(['status', name]).catch(() => undefined);
          return page?.spouts.find((c) => c.spoutId === 'spout')?.acked ?? 0;
        };
        const m = await runOnCluster('bench/topologies/chain.ts', workers, { tuples: CHAIN_TUPLES }, CHAIN_TUPLES, acked);
        s.perSecond.push(m.perSecond);
        s.cpuUs.push(m.cpuUsPerUnit);
        process.stderr.write(`run ${r + 1}/${RUNS} ${s.label}: ${fmt(m.perSecond)} tuples/s, CPU ${(m.cpuUsPerUnit * 1000).toFixed(0)} ns/tuple\n`);
      }
    }
    const [c1, c2] = [median(one.cpuUs), median(two.cpuUs)];
    console.log(`\nchain spout → id → sink, acking on: ${fmt(CHAIN_TUPLES)} tuples, ${RUNS} interleaved runs, medians`);
    console.log(`1 worker   ${fmt(median(one.perSecond)).padStart(10)} tuples/s   CPU ${(c1 * 1000).toFixed(0)} ns/tuple`);
    console.log(`2 workers  ${fmt(median(two.perSecond)).padStart(10)} tuples/s   CPU ${(c2 * 1000).toFixed(0)} ns/tuple   ${(median(one.perSecond) / median(two.perSecond)).toFixed(2)}× slower, ${(c2 / c1).toFixed(2)}× the CPU`);
    console.log(`cross-worker transport: ${((c2 - c1) * 1000).toFixed(0)} ns of CPU per tuple (over all processes)`);
  }
} finally {
  await cluster.stop();
  await fs.delete(`/squall-bench/cluster-${suffix}`, { recursive: true }).catch(() => {});
  await fs.close();
  await admin.disconnect();
}
