/** Offset lookups for the partitions an assignment adds: one request per topic, however many partitions. */
import type { KafkaSource } from './source.js';

/** One lookup per topic for all the partitions an assignment adds, however many there are. */
export class TopicLookups {
  readonly #committed = new Map<string, ReturnType<KafkaSource['committedOffsets']>>();
  readonly #watermarks = new Map<string, ReturnType<KafkaSource['watermarks']>>();
  constructor(readonly source: KafkaSource) {}

  committed(topic: string): ReturnType<KafkaSource['committedOffsets']> {
    let p = this.#committed.get(topic);
    if (p === undefined) this.#committed.set(topic, (p = this.source.committedOffsets(topic)));
    return p;
  }

  watermarks(topic: string): ReturnType<KafkaSource['watermarks']> {
    let p = this.#watermarks.get(topic);
    if (p === undefined) this.#watermarks.set(topic, (p = this.source.watermarks(topic)));
    return p;
  }
}
