/** The streams between the webrequest bolts, declared once for the topology and the bolts. */
import { EncodedRecord } from '../hdfs/encoded-record.js';

/**
 * A record on its way to the sink, with its source coordinates for exactly-once commits and the
 * lease its partition was read under (null for an unleased source).
 */
export const RECORD_FIELDS = ['record', 'topic', 'partition', 'offset', 'lease'] as const;

/**
 * What the sequence check needs of every refined record, one tuple per cache host and refine
 * batch: the host, then its records' sequence numbers, event times (`null` for none), sources
 * (`topic/partition`) and source offsets, in input order. No IP. The source position tells a
 * replay (same position, not counted again) from a duplicate (the same line at another position).
 * A tuple per record would cost an engine hop per record for a few numbers.
 */
export const SEQUENCE_FIELDS = ['hostname', 'sequences', 'times', 'sources', 'offsets'] as const;

/**
 * One user pageview to count, already keyed for the dump. `ts` is its event time; `source`
 * (`topic/partition`) and `offset` say where its record came from, so a replay of it (a failed
 * tree, a restart, a re-run over the same input) is recognized as counted, not counted again.
 */
export const PAGEVIEW_FIELDS = ['domain_code', 'page_title', 'ts', 'source', 'offset'] as const;

/**
 * The stream's low watermark (epoch ms), from each refine task to every hourly output (an `all`
 * grouping), sent after the records it covers: hours close by it.
 */
export const WATERMARK_FIELDS = ['watermark'] as const;

/** Records that could not be used: the (IP-redacted) value, why, and where it came from. */
export const ERROR_FIELDS = ['value', 'reason', 'origin'] as const;

/** `webrequest_text` → `text`; any other source name is used as it is. */
export function webrequestSourceOf(topic: string, fallback: string): string {
  return topic.startsWith('webrequest_') ? topic.slice('webrequest_'.length) : fallback;
}

/**
 * A stream value as text: a line as it is (a string, or UTF-8 bytes), a record (an object, or an
 * {@link EncodedRecord}) as JSON, nothing as ''. What `refine` parses, and what error output shows.
 */
export function valueText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (value instanceof EncodedRecord) return value.toString();
  return value === null || value === undefined ? '' : (JSON.stringify(value) ?? String(value));
}
