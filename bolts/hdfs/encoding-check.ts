/**
 * Whether an {@link EncodedRecord} can go into a sink's files: a byte range that makes sense,
 * in the encoding of the sink's format. A mismatched encoding is a wiring mistake rather than
 * bad data: each such record goes to `errors`, and the mismatch is logged once, as an error.
 */
import type { Logger } from '../../core/index.js';
import { badRange, type EncodedRecord, encodingKey } from './encoded-record.js';
import type { RecordFormat } from './record-format.js';

export class EncodingCheck {
  readonly #format: RecordFormat;
  readonly #logger: Logger;
  readonly #root: string;
  /** The encoding of the last encoded record that fit. */
  #accepted: string | undefined;
  /** Encodings refused so far (each is logged once). */
  readonly #refused = new Set<string>();

  constructor(format: RecordFormat, root: string, logger: Logger) {
    this.#format = format;
    this.#root = root;
    this.#logger = logger;
  }

  /** Why the record cannot go into this sink's files, or undefined when it can. */
  unfit(record: EncodedRecord): string | undefined {
    const bad = badRange(record);
    if (bad !== undefined) return bad;
    // The same key string arrives record after record: compared in full once.
    if (record.encoding === this.#accepted) return undefined;
    const format = this.#format;
    let why: string | undefined;
    if (format.encoding === undefined) why = `the record arrived encoded, and format ${format.name} takes only record objects`;
    else if (record.encoding !== encodingKey(format.encoding)) {
      const kindOf = (k: string) => (k.startsWith('avro:') ? 'avro' : k);
      const what = kindOf(record.encoding) === format.encoding.kind ? 'Avro of another schema' : kindOf(record.encoding);
      why = `the record arrived encoded as ${what}, and this sink writes ${format.name}: encode upstream with the sink format's encoding`;
    }
    if (why === undefined) {
      this.#accepted = record.encoding;
      return undefined;
    }
    if (!this.#refused.has(record.encoding)) {
      this.#refused.add(record.encoding);
      this.#logger.error(`encoded records this sink cannot write go to the errors stream: ${why}`, { root: this.#root });
    }
    return why;
  }
}
