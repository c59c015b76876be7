/**
 * A small producer for synthetic traffic and tests: writes lines (or records) to a topic in
 * batches with kafkajs, waiting for every in-sync replica (acks = -1).
 *
 * @example
 * ```ts
 * const report = await produceLines(['127.0.0.1:9092'], 'webrequest_text', lines, { batchSize: 1000, onProgress: (n) => bar.update(n) });
 * ```
 */
import { CompressionTypes, Kafka, Partitioners, type Message } from 'kafkajs';
import { ErrorCodes, type Logger, SquallError, messageOf, nullLogger } from '../../core/index.js';
import { type KafkaCodecName, canCompress, kafkaCodecSupport } from './codecs.js';
import { KafkaErrorCodes } from './errors.js';
import { KAFKAJS_LOG_LEVEL, kafkajsLogCreator } from './log-bridge.js';

/** A line (its text or bytes as the value; null for a tombstone), or a record with a key, partition or headers. */
export type ProducedRecord =
  | string
  | Buffer
  | null
  | {
      readonly value: string | Buffer | null;
      readonly key?: string | Buffer | null;
      /** @default chosen by kafkajs's default partitioner (by key, else round robin) */
      readonly partition?: number;
      readonly headers?: Readonly<Record<string, string | Buffer>>;
    };

/** How produced batches are compressed: Kafka's codecs. */
export type ProducerCompression = 'none' | 'gzip' | KafkaCodecName;

/** Every {@link ProducerCompression}, for validation and help texts. */
export const PRODUCER_COMPRESSIONS: readonly ProducerCompression[] = Object.freeze(['none', 'gzip', 'snappy', 'lz4', 'zstd']);

const COMPRESSION_TYPES: Readonly<Record<ProducerCompression, CompressionTypes>> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
};

/** Options of {@link produceLines}. */
export interface ProduceLinesOptions {
  /** Records per produce request. @default 500 */
  readonly batchSize?: number;
  /** Produce requests in flight at once. More is faster; order across batches is then not guaranteed. @default 1 */
  readonly maxInFlight?: number;
  /**
   * The codec each batch is compressed with, as a producer's `compression.type`. snappy is
   * written in the xerial framing the Java client uses. @default 'none'
   */
  readonly compression?: ProducerCompression;
  /** @default 'squall-producer' */
  readonly clientId?: string;
  /** Called after each acknowledged batch with the number of records written so far. */
  readonly onProgress?: (produced: number) => void;
  /** Where kafkajs's warnings go. @default nothing */
  readonly logger?: Logger;
}

/** What {@link produceLines} wrote. */
export interface ProduceReport {
  readonly records: number;
  readonly batches: number;
  readonly durationMs: number;
}

function toMessage(record: ProducedRecord): Message {
  if (record === null || typeof record === 'string' || Buffer.isBuffer(record)) return { value: record };
  return { value: record.value, key: record.key ?? null, partition: record.partition, headers: record.headers as Message['headers'] };
}

/** The kafkajs type of `compression`, refusing a codec this process cannot write before anything is sent. */
function compressionType(compression: ProducerCompression): CompressionTypes {
  if (!PRODUCER_COMPRESSIONS.includes(compression)) {
    throw new SquallError(ErrorCodes.INVALID_CONFIG, `produceLines compression is '${String(compression)}': use one of ${PRODUCER_COMPRESSIONS.join(', ')}`);
  }
  if (compression !== 'none' && compression !== 'gzip' && !canCompress(compression)) {
    const note = kafkaCodecSupport().find((c) => c.codec === compression)?.note ?? 'no library loaded';
    throw new SquallError(ErrorCodes.INVALID_CONFIG, `cannot write ${compression} here: ${note}. Install the native add-on's package for this platform, or choose another compression`);
  }
  return COMPRESSION_TYPES[compression];
}

/** Writes every record of `lines` to `topic`, `batchSize` at a time, and resolves once all are acknowledged. */
export async function produceLines(
  brokers: readonly string[],
  topic: string,
  lines: Iterable<ProducedRecord> | AsyncIterable<ProducedRecord>,
  options: ProduceLinesOptions = {},
): Promise<ProduceReport> {
  const batchSize = options.batchSize ?? 500;
  const maxInFlight = options.maxInFlight ?? 1;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new SquallError(ErrorCodes.INVALID_CONFIG, `produceLines batchSize is ${batchSize}: use a whole number, 1 or more`);
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new SquallError(ErrorCodes.INVALID_CONFIG, `produceLines maxInFlight is ${maxInFlight}: use a whole number, 1 or more`);
  if (typeof topic !== 'string' || topic.length === 0) throw new SquallError(ErrorCodes.INVALID_CONFIG, 'produceLines needs a topic name');
  const compression = compressionType(options.compression ?? 'none');
  const kafka = new Kafka({
    brokers: [...brokers],
    clientId: options.clientId ?? 'squall-producer',
    logLevel: KAFKAJS_LOG_LEVEL,
    logCreator: kafkajsLogCreator(options.logger ?? nullLogger),
  });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const started = performance.now();
  let records = 0;
  let batches = 0;
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  const send = (messages: Message[]) => {
    const p = producer
      .send({ topic, acks: -1, compression, messages })
      .then(() => {
        records += messages.length;
        batches++;
        options.onProgress?.(records);
      })
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    return p;
  };
  try {
    await producer.connect();
    let batch: Message[] = [];
    for await (const line of lines) {
      batch.push(toMessage(line));
      if (batch.length < batchSize) continue;
      send(batch);
      batch = [];
      while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
      if (failure !== undefined) break;
    }
    if (batch.length > 0 && failure === undefined) send(batch);
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure;
  } catch (error) {
    const retriable = (error as { retriable?: unknown })?.retriable === true;
    throw new SquallError(KafkaErrorCodes.PRODUCE, `producing to '${topic}' on ${brokers.join(', ')} failed after ${records} records: ${messageOf(error)}`, { retriable, cause: error });
  } finally {
    await producer.disconnect().catch(() => {});
  }
  return { records, batches, durationMs: performance.now() - started };
}
