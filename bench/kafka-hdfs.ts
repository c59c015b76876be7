/**
 * Kafka → HDFS, pass-through: records per second through topologies/kafka-to-hdfs.ts in this
 * process (TopologyRuntime, WebHDFS; Avro snappy, or NDJSON keeping the producer's bytes),
 * against kafkajs consuming the same topic raw (eachBatch, JSON.parse of every value), in the
 * same run on the same machine. It also prints the CPU time per record of this process (all its
 * threads) and of the Kafka broker, NameNode and DataNode, for each side.
 *
 * A third side does the topology's work by hand, without the engine (`kafka-hdfs-by-hand.ts`:
 * kafkajs, the sink's batch encoder, WebHDFS streams; no acking, no exactly-once). It is the
 * floor for that work on this machine: topology ÷ by-hand is what the engine and the guarantees
 * cost, by-hand ÷ raw what writing to HDFS costs.
 *
 *   node --import tsx bench/kafka-hdfs.ts [--records 200000] [--partitions 4] [--runs 3] [--format avro|ndjson] [-c key=value ...]
 *
 * Needs Kafka and HDFS from infra/ (`bash infra/up.sh`). Each run reads the topic with a new
 * consumer group and writes to a new HDFS directory, removed afterwards. Every rate, and the CPU
 * time beside it, is measured from the first record read to the last one done (parsed; or in a
 * committed HDFS file, and acked), so the group join, the start of encoder threads (~0.7 s of
 * CPU each, loading TypeScript) and the shutdown, the same for every side, are left out. The topology's time ends when
 * `stop()` returns with every record acked: its last files are committed by the shutdown flush
 * rather than waiting for their age limit. `-c` passes topology config, as `nimbus local` does.
 */
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { TopologyRuntime, parseConfigOverride } from '../core/index.js';
import { WebHdfsFileSystem } from '../bolts/hdfs/index.js';
import { Mulberry32, WebrequestGenerator } from '../spouts/generator/index.js';
import { ensureTopic, produceLines } from '../spouts/kafka/index.js';
import { loadInfraSettings } from '../infra/settings.js';
import kafkaToHdfs from '../topologies/kafka-to-hdfs.js';
import { byHand } from './kafka-hdfs-by-hand.js';

const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '200000' },
    partitions: { type: 'string', default: '4' },
    runs: { type: 'string', default: '3' },
    format: { type: 'string', default: 'avro' },
    config: { type: 'string', short: 'c', multiple: true },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  console.log('usage: node --import tsx bench/kafka-hdfs.ts [--records N] [--partitions P] [--runs R] [--format avro|ndjson] [-c key=value ...]');
  process.exit(0);
}
const N = Number(args.records);
const PARTITIONS = Number(args.partitions);
const RUNS = Number(args.runs);
const extra = Object.fromEntries((args.config ?? []).map(parseConfigOverride));

const infra = loadInfraSettings();
const brokers = [...infra.kafka.brokers];
const hdfsUrl = `http://${infra.hdfs.host}:${infra.hdfs.webhdfsPort}`;
const suffix = `${process.pid}-${Date.now().toString(36)}`;
const topic = `squall-bench-kafka-hdfs-${suffix}`;

/** ~1 KB varnishkafka JSON lines: generated records, their query padded with a random token. */
function* records(n: number): Generator<{ value: string; partition: number }> {
  const generator = new WebrequestGenerator({ seed: 11, hosts: 4, malformedShare: 0, incompleteShare: 0, recordsPerSecond: 20 });
  const rng = new Mulberry32(11);
  for (let i = 0; i < n; i++) {
    const record = generator.next().record!;
    let token = '';
    for (let left = 1000 - JSON.stringify(record).length - 7; token.length < left; ) token += rng.nextUint32().toString(16).padStart(8, '0');
    record.uri_query += `&wprov=${token.slice(0, Math.max(0, 1000 - JSON.stringify(record).length - 7))}`;
    yield { value: JSON.stringify(record), partition: i % PARTITIONS };
  }
}

/** kafkajs alone: a new group reads the topic with eachBatch and parses every value. */
async function rawConsume(run: number): Promise<number> {
  const kafka = new Kafka({ brokers, clientId: 'squall-bench-raw', logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `${topic}-raw-${run}`, maxBytesPerPartition: 1_048_576, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let count = 0;
  let bytes = 0;
  let first = 0;
  const done = new Promise<number>((resolve) => {
    void consumer.run({
      eachBatch: async ({ batch }) => {
        if (first === 0) {
          first = performance.now();
          startCpuWindow();
        }
        for (const m of batch.messages) bytes += (JSON.parse(m.value!.toString('utf8')) as { uri_query: string }).uri_query.length;
        count += batch.messages.length;
        if (count >= N) {
          endCpuWindow();
          resolve(performance.now() - first);
        }
      },
    });
  });
  const elapsed = await done;
  await consumer.disconnect();
  if (count !== N || bytes === 0) throw new Error(`raw consumer read ${count} of ${N} records`);
  return elapsed;
}

/** The same work by hand, with the topology's settings (format, masked fields, threads, batch and file sizes). */
function byHandRun(run: number): Promise<number> {
  const setting = (key: string, fallback: string) => (extra[key] === undefined ? fallback : String(extra[key]));
  return byHand({
    brokers,
    topic,
    groupId: `${topic}-by-hand-${run}`,
    hdfsUrl,
    output: `/squall-bench/kafka-hdfs-${suffix}-by-hand-${run}`,
    records: N,
    format: args.format === 'ndjson' ? 'ndjson' : 'avro',
    maskFields: setting('maskFields', 'ip,x_forwarded_for')
      .split(',')
      .map((f) => f.trim())
      .filter((f) => f !== ''),
    threads: Number(setting('threads', '2')),
    batchRecords: Number(setting('batchRecords', '512')),
    // The topology holds maxSpoutPending / 2 tuples per file generation, spread over the partitions.
    recordsPerFile: Math.ceil(Number(setting('maxSpoutPending', '60000')) / 2 / PARTITIONS),
    window: { start: startCpuWindow, end: endCpuWindow },
  });
}

/**
 * The topology, in process: from the first record emitted to the last one acked (its file
 * committed). The last files are committed by the stop's flush, so the clock runs into `stop()`
 * and ends at the last ack, before the consumer leaves its group and the threads close.
 */
async function topologyRun(run: number): Promise<{ ms: number; files: number }> {
  const output = `/squall-bench/kafka-hdfs-${suffix}-${run}`;
  const config = { brokers: brokers.join(','), topics: topic, groupId: `${topic}-topology-${run}`, hdfs: hdfsUrl, output, format: args.format, ...extra };
  const runtime = new TopologyRuntime({ topology: kafkaToHdfs.make(config), config });
  await runtime.start();
  const spout = () => runtime.stats().components.kafka!;
  let first = 0;
  let last = 0;
  const lastAck = () => {
    if (last === 0 && spout().acked >= N) {
      last = performance.now();
      endCpuWindow();
    }
  };
  // SQUALL_BENCH_TRACE=1 prints the flow every 250 ms: where records wait.
  const trace = process.env.SQUALL_BENCH_TRACE ? setInterval(() => traceLine(runtime), 250) : undefined;
  let watch: NodeJS.Timeout | undefined;
  await new Promise<void>((resolve) => {
    watch = setInterval(() => {
      const emitted = spout().emitted;
      if (first === 0 && emitted > 0) {
        first = performance.now();
        startCpuWindow();
      }
      if (emitted >= N) resolve();
      lastAck();
    }, 5);
  });
  const report = await runtime.stop({ timeoutMs: 60_000 });
  clearInterval(watch);
  clearInterval(trace);
  lastAck();
  const elapsed = last - first;
  const acked = spout().acked;
  if (report.forced || acked !== N) throw new Error(`topology acked ${acked} of ${N} records (forced stop: ${report.forced})`);
  const fs = new WebHdfsFileSystem({ url: hdfsUrl });
  const files = await countFiles(fs, output);
  await fs.delete(output, { recursive: true });
  await fs.close();
  return { ms: elapsed, files };
}

function traceLine(runtime: TopologyRuntime): void {
  const values = new Map<string, number>();
  for (const family of runtime.metrics.families()) {
    for (const s of family.series.values()) if ('value' in s.metric) values.set(family.name, (values.get(family.name) ?? 0) + s.metric.value);
  }
  const pick = (...names: string[]) => names.map((n) => `${n.replace(/^squall_(kafka_spout_|hdfs_sink_)?/, '')}=${values.get(n) ?? '-'}`).join(' ');
  const k = runtime.stats().components.kafka!;
  process.stderr.write(
    `${(performance.now() / 1000).toFixed(2)} emitted=${k.emitted} acked=${k.acked} pending=${runtime.stats().pending} ` +
      `${pick('squall_kafka_spout_buffered_records', 'squall_kafka_spout_uncommitted_offsets', 'squall_kafka_spout_paused_partitions', 'squall_hdfs_sink_held_tuples', 'squall_hdfs_sink_open_files')}\n`,
  );
}

/** CPU seconds used so far by this process and by each infra service (from /proc, where there is one). */
function cpuSeconds(): Map<string, number> {
  const out = new Map<string, number>();
  const usage = process.cpuUsage();
  out.set('bench process', (usage.user + usage.system) / 1e6);
  const ticks = 100; // USER_HZ on Linux
  for (const [name, pidFile] of [
    ['kafka', 'kafka/kafka.pid'],
    ['namenode', 'hdfs/namenode.pid'],
    ['datanode', 'hdfs/datanode.pid'],
  ] as const) {
    try {
      const pid = readFileSync(join(infra.stateDir, pidFile), 'utf8').trim();
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      out.set(name, (Number(fields[11]) + Number(fields[12])) / ticks);
    } catch {
      // No /proc, or the service is not ours: leave it out.
    }
  }
  return out;
}

/** The CPU readings at the first record of the side being measured, and at its last. */
let cpuAtFirstRecord = new Map<string, number>();
let cpuAtLastRecord = new Map<string, number>();
function startCpuWindow(): void {
  cpuAtFirstRecord = cpuSeconds();
}
function endCpuWindow(): void {
  cpuAtLastRecord = cpuSeconds();
}

/** CPU seconds each consumer used between two readings. */
function cpuBetween(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  return new Map([...after].map(([k, v]) => [k, v - (before.get(k) ?? 0)]));
}

const cpu = { raw: new Map<string, number[]>(), byHand: new Map<string, number[]>(), topology: new Map<string, number[]>() };
function recordCpu(phase: keyof typeof cpu, used: Map<string, number>, records: number): void {
  for (const [k, v] of used) cpu[phase].set(k, [...(cpu[phase].get(k) ?? []), (v / records) * 1e6]);
}

async function countFiles(fs: WebHdfsFileSystem, dir: string): Promise<number> {
  let n = 0;
  for (const e of await fs.list(dir)) {
    if (e.type === 'directory' && !e.name.startsWith('_')) n += await countFiles(fs, e.path);
    else if (e.type === 'file' && e.name.startsWith('part-')) n++;
  }
  return n;
}

async function deleteTopicAndGroups(): Promise<void> {
  const admin = new Kafka({ brokers, clientId: 'squall-bench-admin', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => {});
  const groups = Array.from({ length: RUNS }, (_, r) => [`${topic}-raw-${r}`, `${topic}-by-hand-${r}`, `${topic}-topology-${r}`]).flat();
  await admin.deleteGroups(groups).catch(() => {});
  await admin.disconnect();
}

await ensureTopic(brokers, topic, { partitions: PARTITIONS });
const produced = await produceLines(brokers, topic, records(N), { batchSize: 1000, maxInFlight: 4 });
process.stderr.write(`produced ${produced.records} records to ${topic} in ${(produced.durationMs / 1000).toFixed(1)} s\n`);

const rate = (ms: number) => N / (ms / 1000);
const raw: number[] = [];
const hand: number[] = [];
const topo: number[] = [];
try {
  for (let r = 0; r < RUNS; r++) {
    raw.push(rate(await rawConsume(r)));
    recordCpu('raw', cpuBetween(cpuAtFirstRecord, cpuAtLastRecord), N);
    hand.push(rate(await byHandRun(r)));
    recordCpu('byHand', cpuBetween(cpuAtFirstRecord, cpuAtLastRecord), N);
    const t = await topologyRun(r);
    recordCpu('topology', cpuBetween(cpuAtFirstRecord, cpuAtLastRecord), N);
    topo.push(rate(t.ms));
    process.stderr.write(`run ${r + 1}/${RUNS}: raw consume ${Math.round(raw[r]!)}/s, by hand ${Math.round(hand[r]!)}/s, topology ${Math.round(topo[r]!)}/s (${t.files} files)\n`);
  }
} finally {
  await deleteTopicAndGroups();
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const range = (xs: number[]) => `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;
console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`);
console.log(`records: ${N} (~1 KB JSON), partitions: ${PARTITIONS}, runs: ${RUNS}, format: ${args.format}, config: ${JSON.stringify(extra)}; median (range)`);
console.log(`raw consume (kafkajs eachBatch + JSON.parse)  ${fmt(median(raw)).padStart(8)} records/s  (${range(raw)})`);
console.log(`by hand (kafkajs → sink encoder → WebHDFS)    ${fmt(median(hand)).padStart(8)} records/s  (${range(hand)})`);
console.log(`topology (Kafka spout → HDFS sink, WebHDFS)   ${fmt(median(topo)).padStart(8)} records/s  (${range(topo)})`);
console.log(`ratio: ${(median(topo) / median(raw)).toFixed(2)}x raw consume (target 0.8x); by hand ${(median(hand) / median(raw)).toFixed(2)}x raw; topology ${(median(topo) / median(hand)).toFixed(2)}x by hand`);
const us = (xs: number[] | undefined) => (xs === undefined ? '-' : median(xs).toFixed(1));
console.log('CPU per record, µs (median; from the first record to the last one done):');
for (const k of cpu.topology.keys()) {
  console.log(`  ${k.padEnd(14)} raw ${us(cpu.raw.get(k)).padStart(6)}   by hand ${us(cpu.byHand.get(k)).padStart(6)}   topology ${us(cpu.topology.get(k)).padStart(6)}`);
}
