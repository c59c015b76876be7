/**
 * A small producer for synthetic traffic and tests: writes lines (or records) to a topic in
 * batches with kafkajs, waiting for every in-sync replica (acks = -1).
 *
 * @example
 * ```ts
 * const report = await produceLines(['127.0.0.1:9092'], 'webrequest_text', lines, { batchSize: 1000, onProgress: (n) => bar.update(n) });
 * ```
 */
import { Kafka, Partitioners, type Message } from 'kafkajs';
import { ErrorCodes, type Logger, SquallError, messageOf, nullLogger } from '../../core/index.js';
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

/** Options of {@link produceLines}. */
export interface ProduceLinesOptions {
  /** Records per produce request. @default 500 */
  readonly batchSize?: number;
  /** Produce requests in flight at once. More is faster; order across batches is then not guaranteed. @default 1 */
  readonly maxInFlight?: number;
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
      .send({ topic, acks: -1, messages })
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
