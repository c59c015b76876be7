/** Merges {@link KafkaSpoutOptions} over the defaults and validates them, with fix-it messages. */
import { ErrorCodes, SquallError } from '../../core/index.js';
import { avroDecoder, bufferDecoder, jsonDecoder, type RecordDecoder, stringDecoder } from './decoders.js';
import { FIRST_POLL_OFFSET_STRATEGIES } from './first-poll.js';
import { DEFAULT_KAFKA_SPOUT_OPTIONS, type KafkaSpoutConfig, type KafkaSpoutOptions, type ProcessingGuarantee, type ValueFormat } from './options.js';
import { ERRORS_STREAM, StreamRouter } from './stream-router.js';

const GUARANTEES: readonly ProcessingGuarantee[] = ['at-least-once', 'at-most-once', 'none'];
const BROKER = /^[^\s:/]+:\d{1,5}$/;

function invalid(key: string, value: unknown, fix: string): SquallError {
  const shown = value instanceof RegExp ? String(value) : typeof value === 'function' ? 'a function' : JSON.stringify(value);
  return new SquallError(ErrorCodes.INVALID_CONFIG, `kafka spout option '${key}' is ${shown}: ${fix}`);
}

function positiveInteger(key: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw invalid(key, value, 'use a whole number, 1 or more');
  return value;
}

function positiveMs(key: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw invalid(key, value, 'use a positive number of milliseconds');
  return value;
}

function decoderOf(format: ValueFormat | undefined): RecordDecoder {
  if (format === 'json') return jsonDecoder;
  if (format === 'string') return stringDecoder;
  if (format === 'buffer') return bufferDecoder;
  if (typeof format === 'object' && format !== null) {
    if ('avro' in format) {
      if (typeof (format.avro as { fromBuffer?: unknown })?.fromBuffer !== 'function') {
        throw invalid('valueFormat.avro', format.avro, "give an avsc Type, such as { avro: avro.Type.forSchema(schema) }");
      }
      return avroDecoder(format.avro);
    }
    if (typeof (format as RecordDecoder).decode === 'function') return format as RecordDecoder;
  }
  throw invalid('valueFormat', format, "use 'json', 'string', 'buffer', { avro: avscType } or a RecordDecoder");
}

function brokersOf(brokers: unknown): string[] {
  if (!Array.isArray(brokers) || brokers.length === 0) throw invalid('brokers', brokers, "list at least one broker, such as ['127.0.0.1:9092']");
  for (const b of brokers) {
    if (typeof b !== 'string' || !BROKER.test(b)) throw invalid('brokers', brokers, `write each broker as host:port; '${String(b)}' is not`);
  }
  return [...brokers];
}

function topicsOf(options: KafkaSpoutOptions): { subscription: (string | RegExp)[]; topics: string[] | undefined } {
  const { topics, pattern } = options;
  if (topics !== undefined && pattern !== undefined) throw invalid('pattern', pattern, 'set either topics or pattern, not both');
  if (pattern !== undefined) {
    if (!(pattern instanceof RegExp)) throw invalid('pattern', pattern, 'use a RegExp, such as /^webrequest_/');
    if (pattern.global || pattern.sticky) throw invalid('pattern', pattern, 'drop the g and y flags: they make RegExp.test stateful');
    return { subscription: [pattern], topics: undefined };
  }
  if (topics === undefined) throw invalid('topics', topics, "set topics, such as ['webrequest_text'], or a pattern such as /^webrequest_/");
  if (!Array.isArray(topics) || topics.length === 0) throw invalid('topics', topics, 'list at least one topic');
  const seen = new Set<string>();
  for (const t of topics) {
    if (typeof t !== 'string' || t.length === 0) throw invalid('topics', topics, 'topic names are non-empty strings');
    if (seen.has(t)) throw invalid('topics', topics, `'${t}' is listed twice; list each topic once`);
    seen.add(t);
  }
  return { subscription: [...topics], topics: [...topics] };
}

function routerOf(streams: KafkaSpoutOptions['streams']): StreamRouter {
  if (streams === undefined || typeof streams === 'function') return new StreamRouter(streams);
  if (typeof streams !== 'object' || streams === null) throw invalid('streams', streams, "map topics to streams, such as { webrequest_text: 'text' }, or give a function of the topic");
  for (const [topic, stream] of Object.entries(streams)) {
    if (typeof stream !== 'string' || stream.length === 0) throw invalid(`streams.${topic}`, stream, 'name a stream declared in the spout outputs');
    if (stream === ERRORS_STREAM) throw invalid(`streams.${topic}`, stream, "'errors' holds records that could not be used; route the topic to another stream");
  }
  return new StreamRouter(Object.freeze({ ...streams }));
}

/** The complete settings of a spout, or a `SQUALL_ERR_INVALID_CONFIG` error that says how to fix them. */
export function compileKafkaSpoutOptions(options: KafkaSpoutOptions): KafkaSpoutConfig {
  if (typeof options !== 'object' || options === null) throw invalid('options', options, 'give an options object with brokers, groupId and topics');
  const d = DEFAULT_KAFKA_SPOUT_OPTIONS;
  const brokers = brokersOf(options.brokers);
  if (typeof options.groupId !== 'string' || options.groupId.length === 0) throw invalid('groupId', options.groupId, "name the consumer group, such as 'webrequest-refine'");
  const clientId = options.clientId ?? d.clientId;
  if (typeof clientId !== 'string' || clientId.length === 0) throw invalid('clientId', clientId, 'use a non-empty string');
  const { subscription, topics } = topicsOf(options);

  const strategy = options.firstPollOffsetStrategy ?? d.firstPollOffsetStrategy;
  if (!FIRST_POLL_OFFSET_STRATEGIES.includes(strategy)) throw invalid('firstPollOffsetStrategy', strategy, `use one of ${FIRST_POLL_OFFSET_STRATEGIES.join(', ')}`);
  const guarantee = options.processingGuarantee ?? d.processingGuarantee;
  if (!GUARANTEES.includes(guarantee)) throw invalid('processingGuarantee', guarantee, `use one of ${GUARANTEES.join(', ')}`);
  const atLeastOnce = guarantee === 'at-least-once';
  if (!atLeastOnce && options.retry !== undefined) {
    throw invalid('retry', options.retry, `retries need acking: remove retry, or use processingGuarantee 'at-least-once' (it is '${guarantee}')`);
  }
  if (!atLeastOnce && options.maxUncommittedOffsets !== undefined) {
    throw invalid('maxUncommittedOffsets', options.maxUncommittedOffsets, `it limits acked-offset commits: remove it, or use processingGuarantee 'at-least-once' (it is '${guarantee}')`);
  }

  const retry = { ...d.retry, ...options.retry };
  if (typeof retry.initialDelayMs !== 'number' || !Number.isFinite(retry.initialDelayMs) || retry.initialDelayMs < 0) {
    throw invalid('retry.initialDelayMs', retry.initialDelayMs, 'use 0 or a positive number of milliseconds');
  }
  if (typeof retry.multiplier !== 'number' || !Number.isFinite(retry.multiplier) || retry.multiplier < 1) {
    throw invalid('retry.multiplier', retry.multiplier, 'use a number of 1 or more (1 keeps the delay constant)');
  }
  if (typeof retry.maxDelayMs !== 'number' || !Number.isFinite(retry.maxDelayMs) || retry.maxDelayMs < retry.initialDelayMs) {
    throw invalid('retry.maxDelayMs', retry.maxDelayMs, `use a number of milliseconds at or above retry.initialDelayMs (${retry.initialDelayMs})`);
  }
  const maxRetries = retry.maxRetries;
  if (typeof maxRetries !== 'number' || !(maxRetries === Infinity || (Number.isInteger(maxRetries) && maxRetries >= 0))) {
    throw invalid('retry.maxRetries', maxRetries, 'use a whole number, 0 or more, or Infinity to retry forever');
  }

  const sessionTimeoutMs = positiveMs('sessionTimeoutMs', options.sessionTimeoutMs ?? d.sessionTimeoutMs);
  const heartbeatIntervalMs = positiveMs('heartbeatIntervalMs', options.heartbeatIntervalMs ?? d.heartbeatIntervalMs);
  if (heartbeatIntervalMs >= sessionTimeoutMs) {
    throw invalid('heartbeatIntervalMs', heartbeatIntervalMs, `keep it below sessionTimeoutMs (${sessionTimeoutMs}); about a third of it, ${Math.floor(sessionTimeoutMs / 3)}, is usual`);
  }
  if (options.startOffsets !== undefined && typeof options.startOffsets !== 'function') {
    throw invalid('startOffsets', options.startOffsets, 'give an async function (topic, partition) => offset string or undefined');
  }
  if (options.fence !== undefined && options.startOffsets !== undefined) {
    throw invalid('startOffsets', 'a function', 'leave it unset with fence: the fence says where each partition starts');
  }
  if (options.fence !== undefined && (typeof options.fence !== 'object' || typeof options.fence.acquire !== 'function')) {
    throw invalid('fence', options.fence, "give a PartitionFence, such as the HDFS sink's OutputPartitionFence");
  }
  if (options.source !== undefined && typeof options.source !== 'function') throw invalid('source', options.source, 'give a KafkaSourceFactory, or leave it unset for kafkajs');

  return Object.freeze({
    brokers: Object.freeze(brokers),
    groupId: options.groupId,
    clientId,
    subscription: Object.freeze(subscription),
    topics: topics === undefined ? undefined : Object.freeze(topics),
    firstPollOffsetStrategy: strategy,
    processingGuarantee: guarantee,
    maxUncommittedOffsets: positiveInteger('maxUncommittedOffsets', options.maxUncommittedOffsets ?? d.maxUncommittedOffsets),
    retry: Object.freeze({ ...retry, maxRetries }),
    commitIntervalMs: positiveMs('commitIntervalMs', options.commitIntervalMs ?? d.commitIntervalMs),
    decoder: decoderOf(options.valueFormat ?? d.valueFormat),
    router: routerOf(options.streams),
    startOffsets: options.startOffsets,
    fence: options.fence,
    fenceRetryMs: positiveMs('fenceRetryMs', options.fenceRetryMs ?? d.fenceRetryMs),
    maxBufferedRecords: positiveInteger('maxBufferedRecords', options.maxBufferedRecords ?? d.maxBufferedRecords),
    pollTimeoutMs: positiveMs('pollTimeoutMs', options.pollTimeoutMs ?? d.pollTimeoutMs),
    closeTimeoutMs: positiveMs('closeTimeoutMs', options.closeTimeoutMs ?? d.closeTimeoutMs),
    sessionTimeoutMs,
    heartbeatIntervalMs,
    maxBytesPerPartition: positiveInteger('maxBytesPerPartition', options.maxBytesPerPartition ?? d.maxBytesPerPartition),
    fetchMaxWaitMs: positiveMs('fetchMaxWaitMs', options.fetchMaxWaitMs ?? d.fetchMaxWaitMs),
    source: options.source,
  });
}
