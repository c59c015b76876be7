/** Topic → stream routing: which output stream a topic's records are emitted on. */

/** A map from topic to stream (unlisted topics use `default`), or a function of the topic. */
export type TopicStreams = Readonly<Record<string, string>> | ((topic: string) => string);

/** The stream records go to unless routed elsewhere. */
export const DEFAULT_STREAM = 'default';

/** The stream of records that could not be used: undecodable, or out of retries. */
export const ERRORS_STREAM = 'errors';

/** Resolves and caches the stream of each topic. */
export class StreamRouter {
  readonly #streams: TopicStreams | undefined;
  readonly #cache = new Map<string, string>();

  constructor(streams: TopicStreams | undefined) {
    this.#streams = streams;
  }

  /** The stream for `topic`. A routing function that throws or returns a non-string propagates as an error. */
  streamOf(topic: string): string {
    let stream = this.#cache.get(topic);
    if (stream !== undefined) return stream;
    const s = this.#streams;
    if (s === undefined) stream = DEFAULT_STREAM;
    else if (typeof s === 'function') {
      const routed: unknown = s(topic);
      if (typeof routed !== 'string' || routed.length === 0) {
        throw new TypeError(`the streams function returned ${JSON.stringify(routed)} for topic '${topic}': return a declared stream id`);
      }
      stream = routed;
    } else stream = Object.hasOwn(s, topic) ? s[topic]! : DEFAULT_STREAM;
    this.#cache.set(topic, stream);
    return stream;
  }

  /**
   * The streams known before any record arrives: every mapped stream, plus `default` when some
   * topic may be unmapped. Undefined for a routing function (streams are checked as topics appear).
   */
  staticStreams(topics: readonly string[] | undefined): string[] | undefined {
    const s = this.#streams;
    if (typeof s === 'function') return undefined;
    if (s === undefined) return [DEFAULT_STREAM];
    const out = new Set(Object.values(s));
    if (topics === undefined || topics.some((t) => !Object.hasOwn(s, t))) out.add(DEFAULT_STREAM);
    return [...out];
  }
}
