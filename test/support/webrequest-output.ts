/**
 * Producing generated webrequests into Kafka and reading the refined output back, for tests
 * that run `topologies/webrequest.ts` against Kafka as users do.
 */
import type { Admin } from 'kafkajs';
import { type FileSystem, OffsetRangeFileNameFormat, scanOutput } from '../../bolts/hdfs/index.js';
import { WebrequestGenerator } from '../../spouts/generator/index.js';
import { produceLines } from '../../spouts/kafka/index.js';

const fileNames = new OffsetRangeFileNameFormat();

/**
 * Produces `records` generated varnishkafka lines (no incomplete ones; malformed ones only with
 * `malformedShare`), round-robin over `partitions`, 2,000 at a time, spread over `spreadMs` so that
 * they keep arriving while a test does things to the topology. Their event time starts at
 * 2026-11-22T10:00Z, `recordsPerSecond` (50) to a second. With `from`, the records after the first `from`.
 */
export async function produceSteadily(
  brokers: readonly string[],
  topic: string,
  options: { records: number; partitions: number; spreadMs: number; seed?: number; from?: number; malformedShare?: number; recordsPerSecond?: number },
): Promise<void> {
  const generator = new WebrequestGenerator({ seed: options.seed ?? 23, hosts: 8, malformedShare: options.malformedShare ?? 0, incompleteShare: 0, recordsPerSecond: options.recordsPerSecond ?? 50, startMs: Date.UTC(2026, 10, 22, 10, 0) });
  // `from`: go on where an earlier call of `from` records stopped (the same records, no repeats).
  for (let i = 0; i < (options.from ?? 0); i++) generator.next();
  const chunk = 2_000;
  const t0 = Date.now();
  for (let sent = 0; sent < options.records; sent += chunk) {
    const lines: { value: string; partition: number }[] = [];
    for (let i = sent; i < Math.min(options.records, sent + chunk); i++) lines.push({ value: generator.next().line, partition: i % options.partitions });
    await produceLines([...brokers], topic, lines, { batchSize: 1000 });
    // Load shaping, not synchronization: records keep arriving while the test acts.
    const due = t0 + ((sent + chunk) / options.records) * options.spreadMs;
    if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
  }
}

/** Every file under `dir`, recursively. */
async function* walk(fs: FileSystem, dir: string): AsyncGenerator<string> {
  for (const e of await fs.list(dir)) {
    if (e.type === 'directory') yield* walk(fs, e.path);
    else yield e.path;
  }
}

/** How often each `hostname#sequence` is in the committed refined (NDJSON) output under `root`. */
export async function refinedCounts(fs: FileSystem, root: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for await (const path of walk(fs, root)) {
    if (path.includes('/_') || fileNames.parseCommitted(path.slice(path.lastIndexOf('/') + 1)) === undefined) continue;
    for (const line of (await fs.read(path)).toString('utf8').split('\n')) {
      if (line === '') continue;
      const r = JSON.parse(line) as { hostname: string; sequence: number };
      const key = `${r.hostname}#${r.sequence}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

/** True once every offset of every partition of `topic` is in a committed file under `root`. */
export async function everyOffsetCommitted(admin: Admin, fs: FileSystem, root: string, topic: string): Promise<boolean> {
  const ends = await admin.fetchTopicOffsets(topic);
  const scan = await scanOutput(fs, root);
  return ends.every(({ partition, high }) => Number(high) === 0 || scan.committed.get(`${topic}/${partition}`)?.nextMissing(0) === Number(high));
}

/** `counts` summed up: distinct records, and those present more than once. */
export function duplicatesOf(counts: ReadonlyMap<string, number>): { distinct: number; duplicated: [string, number][] } {
  return { distinct: counts.size, duplicated: [...counts].filter(([, n]) => n > 1) };
}
