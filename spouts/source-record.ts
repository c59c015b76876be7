/**
 * The record shape every Squall source emits, Kafka's: a bolt or sink written against it works
 * over any source. A file is a topic with one partition whose offsets are line numbers; a
 * generator task is a partition of its own.
 */

/**
 * Fields of a source's `default` stream. `lease` is the lease a fenced source reads the
 * record's partition under (see core's `PartitionFence`); sources without one emit null.
 */
export const SOURCE_RECORD_FIELDS = ['topic', 'partition', 'offset', 'key', 'value', 'timestamp', 'headers', 'lease'] as const;

/** Fields of a source's `errors` stream: what could not be used, why, and where it came from. */
export const SOURCE_ERROR_FIELDS = ['value', 'reason', 'origin'] as const;

/** Output streams of a source, for a topology's `outputs`. */
export const SOURCE_OUTPUTS = Object.freeze({ default: SOURCE_RECORD_FIELDS, errors: SOURCE_ERROR_FIELDS });

/** Where a record came from, as written in error records: `topic/partition@offset`. */
export function originOf(topic: string, partition: number, offset: number | string): string {
  return `${topic}/${partition}@${offset}`;
}
