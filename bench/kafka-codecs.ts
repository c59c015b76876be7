/**
 * Kafka's codecs on real batches, and what each costs a whole topology.
 *
 * Part 1, decode: generator lines (varnishkafka format, keyed by hostname) are produced into
 * 6-partition topics with snappy, lz4 and zstd by librdkafka (kcat) and by Kafka's Java console
 * producer (infra/kafka-producers.sh installs both); kafkajs reads them back while a capturing
 * codec keeps each compressed batch. Every installed library of a codec then decompresses the
 * same batches, interleaved run by run: MB/s of decompressed output (wall clock) and CPU ms per
 * pass (all threads of this process), medians, each against the library Squall uses.
 * Libraries that are not dependencies are timed when installed (`npm install --no-save
 * zstd-napi snappy`); missing ones are listed.
 *
 * Part 2, topology: topologies/kafka-to-hdfs.ts in this process (Kafka spout → HDFS sink over
 * WebHDFS) reads one topic per codec (none, snappy, lz4, zstd; written by produceLines, ~1 KB
 * JSON records), in interleaved runs, from the first record emitted to the last acked: records/s
 * and CPU µs per record, medians, each against `none` in the same run.
 *
 *   node --import tsx bench/kafka-codecs.ts [--lines 20000] [--records 50000] [--runs 5] [--part decode|topology|both]
 */
import { createRequire } from 'node:module';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import kafkajs from 'kafkajs';
import { TopologyRuntime } from '../core/index.js';
import { WebHdfsFileSystem } from '../bolts/hdfs/index.js';
import { WebrequestGenerator } from '../spouts/generator/index.js';
import { ensureTopic, produceLines, registerKafkaCodecs, type ProducerCompression } from '../spouts/kafka/index.js';
import { CODEC_CANDIDATES, type CodecCandidate, type KafkaCodecName } from '../spouts/kafka/codec-candidates.js';
import { unframeSnappy } from '../spouts/kafka/snappy-framing.js';
import { loadInfraSettings } from '../infra/settings.js';
import kafkaToHdfs from '../topologies/kafka-to-hdfs.js';
import { produceWith } from '../test/support/kafka-producers.js';

const { CompressionCodecs, CompressionTypes, Kafka, logLevel } = kafkajs;
const { values: args } = parseArgs({
  options: { lines: { type: 'string', default: '20000' }, records: { type: 'string', default: '50000' }, runs: { type: 'string', default: '5' }, part: { type: 'string', default: 'both' } },
});
const RUNS = Number(args.runs);
const infra = loadInfraSettings();
const brokers = [...infra.kafka.brokers];
const suffix = `${process.pid}-${Date.now().toString(36)}`;
const CODECS: readonly KafkaCodecName[] = ['snappy', 'lz4', 'zstd'];
const require = createRequire(import.meta.url);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const topics: string[] = [];

/** Candidates beyond the dependencies, timed when installed. */
const EXTRA: readonly CodecCandidate[] = [
  {
    codec: 'zstd',
    library: 'zstd-napi',
    native: true,
    create: (load) => {
      const z = load('zstd-napi') as { decompress(b: Buffer): Buffer };
      return { decompress: async (b) => z.decompress(b) };
    },
  },
];

async function captureBatches(): Promise<Map<string, Buffer[]>> {
  const generator = new WebrequestGenerator({ seed: 19, hosts: 8 });
  const lines = Array.from({ length: Number(args.lines) }, () => generator.next()).map(({ line, record }) => ({ key: record?.hostname ?? 'garbage', value: line }));
  const batches = new Map<string, Buffer[]>();
  registerKafkaCodecs();
  const table = CompressionCodecs as unknown as Record<number, () => { decompress(b: Buffer): Promise<Buffer> }>;
  const types = { snappy: CompressionTypes.Snappy, lz4: CompressionTypes.LZ4, zstd: CompressionTypes.ZSTD };
  let current = '';
  for (const codec of CODECS) {
    const inner = table[types[codec]]!;
    table[types[codec]] = () => ({ ...inner(), decompress: (b: Buffer) => (batches.get(current)!.push(Buffer.from(b)), inner().decompress(b)) });
  }
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  for (const producer of ['librdkafka', 'java'] as const) {
    for (const codec of CODECS) {
      const topic = `squall-bench-codecs-${producer}-${codec}-${suffix}`;
      topics.push(topic);
      await ensureTopic(brokers, topic, { partitions: 6 });
      await produceWith(producer, brokers, topic, codec, lines);
      current = `${codec} ${producer}`;
      batches.set(current, []);
      const consumer = kafka.consumer({ groupId: topic, maxWaitTimeInMs: 100 });
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      let n = 0;
      await new Promise<void>((resolve) => void consumer.run({ eachBatch: async ({ batch }) => void ((n += batch.messages.length) >= lines.length && resolve()) }));
      await consumer.disconnect();
    }
  }
  return batches;
}

async function decodeBench(): Promise<void> {
  const batches = await captureBatches();
  console.log('\n## decode: real batches, MB/s of decompressed output (CPU ms per pass), median of interleaved runs');
  for (const codec of CODECS) {
    const candidates: { c: CodecCandidate; decompress: (b: Buffer) => Promise<Buffer> }[] = [];
    for (const c of [...CODEC_CANDIDATES, ...EXTRA].filter((x) => x.codec === codec)) {
      try {
        candidates.push({ c, decompress: c.create(require).decompress });
      } catch {
        console.log(`${codec}: ${c.library} is not installed here; not timed`);
      }
    }
    for (const producer of ['librdkafka', 'java']) {
      const set = batches.get(`${codec} ${producer}`)!;
      const rates = new Map<string, number[]>();
      const cpu = new Map<string, number[]>();
      for (let run = 0; run < RUNS; run++) {
        for (const { c, decompress } of candidates) {
          const t = performance.now();
          const c0 = cpuMs();
          let out = 0;
          for (const b of set) out += (await decompress(b)).length;
          rates.set(c.library, [...(rates.get(c.library) ?? []), out / 1e6 / ((performance.now() - t) / 1000)]);
          cpu.set(c.library, [...(cpu.get(c.library) ?? []), cpuMs() - c0]);
        }
      }
      const chosen = candidates[0]!.c.library;
      const bytes = set.reduce((n, b) => n + b.length, 0);
      const raw = codec === 'snappy' ? set.reduce((n, b) => n + unframeSnappy(b, (x) => x).length, 0) : bytes;
      console.log(`${codec}, ${producer}: ${set.length} batches, ${(bytes / 1e6).toFixed(2)} MB compressed${codec === 'snappy' ? ` (${raw === bytes ? 'raw' : 'xerial-framed'})` : ''}`);
      for (const { c } of candidates) {
        const r = median(rates.get(c.library)!);
        const m = median(cpu.get(c.library)!);
        console.log(`  ${c.library.padEnd(18)} ${c.native ? 'native ' : 'pure JS'}  ${r.toFixed(0).padStart(5)} MB/s  ${m.toFixed(1).padStart(6)} CPU ms  ${(r / median(rates.get(chosen)!)).toFixed(2)}x, CPU ${(m / median(cpu.get(chosen)!)).toFixed(2)}x the one used (${chosen})`);
      }
    }
  }
}

function* jsonRecords(n: number): Generator<{ value: string; key: string }> {
  const generator = new WebrequestGenerator({ seed: 11, hosts: 8, malformedShare: 0, incompleteShare: 0 });
  for (let i = 0; i < n; i++) {
    const record = generator.next().record!;
    yield { value: JSON.stringify(record), key: record.hostname };
  }
}

async function topologyRun(topic: string, records: number, run: number): Promise<{ perSecond: number; cpuUs: number }> {
  const hdfs = `http://${infra.hdfs.host}:${infra.hdfs.webhdfsPort}`;
  const output = `/squall-bench/kafka-codecs-${suffix}-${topic.slice(-12)}-${run}`;
  const config = { brokers: brokers.join(','), topics: topic, groupId: `${topic}-${run}`, hdfs, output, format: 'ndjson' };
  const runtime = new TopologyRuntime({ topology: kafkaToHdfs.make(config), config });
  await runtime.start();
  const spout = () => runtime.stats().components.kafka!;
  let first = 0;
  let c0 = 0;
  await new Promise<void>((resolve) => {
    const watch = setInterval(() => {
      if (first === 0 && spout().emitted > 0) {
        first = performance.now();
        c0 = cpuMs();
      }
      if (spout().emitted >= records) {
        clearInterval(watch);
        resolve();
      }
    }, 5);
  });
  let last = 0;
  let c1 = 0;
  const watch = setInterval(() => {
    if (last === 0 && spout().acked >= records) {
      last = performance.now();
      c1 = cpuMs();
    }
  }, 5);
  await runtime.stop({ timeoutMs: 60_000 });
  clearInterval(watch);
  if (last === 0) throw new Error(`${topic}: acked ${spout().acked} of ${records}`);
  const fs = new WebHdfsFileSystem({ url: hdfs });
  await fs.delete(output, { recursive: true });
  await fs.close();
  return { perSecond: records / ((last - first) / 1000), cpuUs: ((c1 - c0) * 1000) / records };
}

async function topologyBench(): Promise<void> {
  const records = Number(args.records);
  const compressions: ProducerCompression[] = ['none', 'snappy', 'lz4', 'zstd'];
  const topicOf = new Map(compressions.map((c) => [c, `squall-bench-codecs-topology-${c}-${suffix}`]));
  for (const [compression, topic] of topicOf) {
    topics.push(topic);
    await ensureTopic(brokers, topic, { partitions: 4 });
    await produceLines(brokers, topic, jsonRecords(records), { batchSize: 1000, maxInFlight: 4, compression });
  }
  const rates = new Map<string, number[]>();
  const cpu = new Map<string, number[]>();
  for (let run = 0; run < RUNS; run++) {
    for (const [compression, topic] of topicOf) {
      const r = await topologyRun(topic, records, run);
      rates.set(compression, [...(rates.get(compression) ?? []), r.perSecond]);
      cpu.set(compression, [...(cpu.get(compression) ?? []), r.cpuUs]);
      process.stderr.write(`run ${run + 1}/${RUNS} ${compression}: ${Math.round(r.perSecond)}/s, ${r.cpuUs.toFixed(1)} CPU µs/record\n`);
    }
  }
  console.log(`\n## topology: kafka-to-hdfs (NDJSON to WebHDFS), ${records} records per topic, records/s and CPU µs per record, median of ${RUNS} interleaved runs`);
  for (const c of compressions) {
    const r = median(rates.get(c)!);
    const m = median(cpu.get(c)!);
    console.log(`  ${c.padEnd(7)} ${Math.round(r).toLocaleString('en-US').padStart(8)}/s (range ${Math.round(Math.min(...rates.get(c)!))}-${Math.round(Math.max(...rates.get(c)!))})  ${m.toFixed(1).padStart(6)} µs  ${(r / median(rates.get('none')!)).toFixed(2)}x none, CPU ${(m / median(cpu.get('none')!)).toFixed(2)}x`);
  }
}

console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`);
try {
  if (args.part !== 'topology') await decodeBench();
  if (args.part !== 'decode') await topologyBench();
} finally {
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics }).catch(() => {});
  await admin.disconnect();
}
