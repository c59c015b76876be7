/**
 * The work of topologies/kafka-to-hdfs.ts written by hand, without Squall's engine: kafkajs
 * `eachBatch` → the HDFS sink's own batch encoder (same spec, same encoder threads) → one WebHDFS
 * stream per source partition and hour, closed and renamed every `recordsPerFile` records.
 *
 * It keeps no offsets, acks nothing, commits nothing to Kafka and survives no crash: it is the
 * floor for this work on this machine, so that the bench can tell what the engine, the spout and
 * the sink's guarantees cost apart from what the work itself costs.
 */
import { Kafka, logLevel } from 'kafkajs';
import { AvroContainerFormat, NdjsonFormat, type RecordFormat, type RecordWriter, WebHdfsFileSystem, type FileStream } from '../bolts/hdfs/index.js';
import type { BatchResult, BatchSpec } from '../bolts/hdfs/batch-encoder.js';
import { batchRunner } from '../bolts/hdfs/encoder-pool.js';
import { webrequestInputAvroType } from '../bolts/webrequest/schema-avro.js';

export interface ByHandOptions {
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly groupId: string;
  readonly hdfsUrl: string;
  /** The output directory; removed afterwards. */
  readonly output: string;
  readonly records: number;
  readonly format: 'avro' | 'ndjson';
  readonly maskFields: readonly string[];
  readonly threads: number;
  readonly batchRecords: number;
  readonly recordsPerFile: number;
  /** Told when the first record is read and when the last one is committed: the timed window. */
  readonly window?: { readonly start: () => void; readonly end: () => void };
}

interface OpenFile {
  readonly path: string;
  readonly writer: RecordWriter;
  /** The stream, once created; each write chains on the one before. */
  stream: Promise<FileStream>;
  records: number;
}

/** Runs the pipeline until `records` records are in committed files; resolves with the ms from the first record read. */
export async function byHand(o: ByHandOptions): Promise<number> {
  const format: RecordFormat = o.format === 'avro' ? new AvroContainerFormat({ schema: webrequestInputAvroType, codec: 'snappy' }) : new NdjsonFormat();
  const spec: BatchSpec = { input: { kind: 'json' }, format: format.encoding!, timeField: 'dt', recordField: 'value', maskFields: o.maskFields };
  const runner = batchRunner(o.threads);
  const fs = new WebHdfsFileSystem({ url: o.hdfsUrl });
  const consumer = new Kafka({ brokers: [...o.brokers], clientId: 'squall-bench-by-hand', logLevel: logLevel.NOTHING }).consumer({
    groupId: o.groupId,
    maxBytesPerPartition: 1_048_576,
    maxWaitTimeInMs: 100,
  });
  const open = new Map<string, OpenFile>();
  const closing: Promise<void>[] = [];
  let files = 0;
  let written = 0;
  let rejected = 0;
  let first = 0;
  let ms = 0;
  // Batches are applied in the order they were read, as the sink applies them; at most as many
  // in flight as the sink allows (4 per encoder thread, at least 4), so reading waits for writing.
  let applied: Promise<void> = Promise.resolve();
  const inFlight: Promise<void>[] = [];
  const maxInFlight = Math.max(4, 4 * o.threads);
  let failed: unknown;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));

  const close = (file: OpenFile) => {
    closing.push(
      file.stream.then(async (stream) => {
        await stream.write(file.writer.end());
        await stream.close();
        await fs.rename(file.path, `${file.path}.committed`);
      }),
    );
  };
  const apply = (partition: number, result: BatchResult) => {
    rejected += result.errors.length;
    written += result.errors.length;
    for (const g of result.groups) {
      const key = `${partition}/${g.partition.path}`;
      let file = open.get(key);
      if (file === undefined) {
        const path = `${o.output}/${g.partition.path}/part-${partition}-${++files}`;
        file = { path, writer: format.open(), stream: fs.createStream(path, { overwrite: true }), records: 0 };
        open.set(key, file);
      }
      file.writer.writeEncoded!({ chunks: g.chunks, counts: g.counts });
      file.records += g.indices.length;
      written += g.indices.length;
      const ready = file.writer.take();
      if (ready !== undefined) {
        file.stream = file.stream.then(async (s) => (await s.write(ready), s));
        // A failed write surfaces when the file closes.
        file.stream.catch(() => {});
      }
      if (file.records >= o.recordsPerFile) {
        open.delete(key);
        close(file);
      }
    }
    if (written >= o.records) finish();
  };

  await consumer.connect();
  await consumer.subscribe({ topics: [o.topic], fromBeginning: true });
  void consumer.run({
    eachBatch: async ({ batch }) => {
      if (first === 0) {
        first = performance.now();
        o.window?.start();
      }
      const messages = batch.messages;
      for (let from = 0; from < messages.length; from += o.batchRecords) {
        const part = messages.slice(from, from + o.batchRecords);
        let size = 0;
        for (const m of part) size += m.value!.length;
        const data = Buffer.allocUnsafeSlow(size);
        const ends = new Uint32Array(part.length);
        let at = 0;
        for (let i = 0; i < part.length; i++) {
          at += part[i]!.value!.copy(data, at);
          ends[i] = at;
        }
        while (inFlight.length >= maxInFlight) await inFlight.shift();
        const encoded = runner.run({ spec, data, ends });
        encoded.catch(() => {}); // handled through `applied`
        applied = applied.then(() => encoded).then((result) => apply(batch.partition, result));
        const done = applied.catch((error: unknown) => {
          failed ??= error;
          finish();
        });
        inFlight.push(done);
      }
    },
  });
  try {
    await finished;
    if (failed !== undefined) throw failed;
    if (rejected > 0) throw new Error(`the encoder rejected ${rejected} records: the bench's records should all be valid`);
    for (const file of open.values()) close(file);
    await Promise.all(closing);
  } finally {
    ms = performance.now() - first;
    o.window?.end();
    await consumer.disconnect();
    await runner.release();
  }
  await fs.delete(o.output, { recursive: true });
  await fs.close();
  return ms;
}
