/**
 * How far a file source has been read and acked within a run. Lines are read in order; those in
 * flight wait here until acked, so the line through which everything is done (the consumer
 * offset of a Kafka partition) is the one before the lowest in flight, or the last read.
 */
export class SourceProgress {
  /** The source's topic (see `sourceTopic`). */
  readonly topic: string;
  readonly identity: string;
  /** The last line read from the file, emitted or skipped (blank, or done in an earlier run). */
  readThrough: number;
  readonly #inFlight = new Set<number>();

  constructor(topic: string, identity: string, readThrough: number) {
    this.topic = topic;
    this.identity = identity;
    this.readThrough = readThrough;
  }

  emitted(line: number): void {
    this.#inFlight.add(line);
  }

  /** The line was acked, or given up and sent to the errors stream. */
  done(line: number): void {
    this.#inFlight.delete(line);
  }

  /** Every line up to this one is done. */
  get doneThrough(): number {
    let lowest = Infinity;
    for (const line of this.#inFlight) if (line < lowest) lowest = line;
    return lowest === Infinity ? this.readThrough : lowest - 1;
  }
}
