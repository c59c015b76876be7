/** The output streams a Kafka spout declares. */
import { SOURCE_ERROR_FIELDS, SOURCE_RECORD_FIELDS } from '../source-record.js';

/** Fields of every record stream: `[topic, partition, offset, key, value, timestamp, headers]`. */
export const KAFKA_RECORD_FIELDS = SOURCE_RECORD_FIELDS;

/** Fields of the `errors` stream: `[value, reason, origin]`, origin being `topic/partition@offset`. */
export const KAFKA_ERROR_FIELDS = SOURCE_ERROR_FIELDS;

type RecordStreams<S extends string> = { readonly [K in S]: typeof SOURCE_RECORD_FIELDS };

/**
 * The `outputs` of a Kafka spout: `default` and `errors`, plus the record streams that
 * `streams` routes topics to.
 *
 * @example
 * ```ts
 * .spout('kafka', { create: () => new KafkaSpout({ ...options, streams: { webrequest_upload: 'upload' } }), outputs: kafkaSpoutOutputs(['upload']) })
 * ```
 */
export function kafkaSpoutOutputs<S extends string = never>(
  streams: readonly S[] = [],
): RecordStreams<S | 'default'> & { readonly errors: typeof SOURCE_ERROR_FIELDS } {
  const out: Record<string, readonly string[]> = { default: SOURCE_RECORD_FIELDS };
  for (const s of streams) out[s] = SOURCE_RECORD_FIELDS;
  out.errors = SOURCE_ERROR_FIELDS;
  return Object.freeze(out) as RecordStreams<S | 'default'> & { readonly errors: typeof SOURCE_ERROR_FIELDS };
}
