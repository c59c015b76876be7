/**
 * A replayable spout over an NDJSON (or any line-oriented) file. Each non-empty line becomes a
 * source record (`SOURCE_RECORD_FIELDS`): the file name as topic, partition 0, the line number as
 * offset, and the raw text as `value`; parsing is the next bolt's job, so
 * a malformed line is reported downstream with its reason instead of vanishing here. A failed
 * line is emitted again, up to `maxRetries` times; after that it goes to the `errors` stream
 * with the last failure's reason. The spout is exhausted at the end of the file once no replay
 * is waiting, so a local run over a file ends by itself.
 */
import { basename } from 'node:path';
import { type FailReason, type Spout, type SpoutOutputCollector, type TopologyContext, ErrorCodes, SquallError } from '../../core/index.js';
import { ReplayBuffer } from '../replay-buffer.js';
import { originOf } from '../source-record.js';
import { LineReader } from './line-reader.js';


/** A line has no headers: one frozen object for all of them rather than a new one per line. */
const NO_HEADERS = Object.freeze({});

export interface NdjsonFileSpoutOptions {
  /** The file to read. */
  readonly path: string;
  /** Times a failed line is emitted again before it goes to `errors`. @default 3 */
  readonly maxRetries?: number;
  /** Emit without message ids (at-most-once). @default false */
  readonly untracked?: boolean;
}

export class NdjsonFileSpout implements Spout {
  readonly #options: Required<NdjsonFileSpoutOptions>;
  readonly #reader: LineReader;
  readonly #file: string;
  #collector!: SpoutOutputCollector;
  #lines: string[] = [];
  #cursor = 0;
  #lineNumber = 0;
  readonly #replay: ReplayBuffer<string>;

  constructor(options: NdjsonFileSpoutOptions) {
    if (typeof options?.path !== 'string' || options.path.length === 0) {
      throw new SquallError(ErrorCodes.INVALID_CONFIG, `the file spout needs a path: set -c input=<file.ndjson>`);
    }
    this.#options = { maxRetries: 3, untracked: false, ...options };
    this.#replay = new ReplayBuffer(this.#options.maxRetries);
    this.#reader = new LineReader(options.path);
    this.#file = basename(options.path);
  }

  async open(_context: TopologyContext, collector: SpoutOutputCollector): Promise<void> {
    this.#collector = collector;
    try {
      await this.#reader.open();
    } catch (error) {
      throw new SquallError(ErrorCodes.INVALID_CONFIG, `cannot read input file '${this.#options.path}': ${(error as Error).message}`, { cause: error });
    }
  }

  nextTuple(): void | Promise<void> {
    const replay = this.#replay.nextReplay();
    if (replay !== undefined) {
      this.#emit(replay.id, replay.value);
      return;
    }
    while (this.#cursor < this.#lines.length) {
      const value = this.#lines[this.#cursor++]!;
      const line = ++this.#lineNumber;
      if (value.trim().length === 0) continue;
      if (!this.#options.untracked) this.#replay.track(line, value);
      this.#emit(line, value);
      return;
    }
    if (!this.#reader.eof) return this.#refill();
  }

  async #refill(): Promise<void> {
    this.#lines = await this.#reader.readLines();
    this.#cursor = 0;
  }

  #emit(line: number, value: string): void {
    this.#collector.emit([this.#file, 0, line, null, value, Date.now(), NO_HEADERS, null], this.#options.untracked ? undefined : line);
  }

  ack(msgId: unknown): void {
    this.#replay.ack(msgId as number);
  }

  fail(msgId: unknown, reason: FailReason): void {
    const givenUp = this.#replay.fail(msgId as number, reason);
    if (givenUp !== undefined) this.#collector.emitTo('errors', [givenUp.value, givenUp.reason, originOf(this.#file, 0, msgId as number)]);
  }

  exhausted(): boolean {
    return this.#reader.eof && this.#cursor >= this.#lines.length && !this.#replay.replaysWaiting;
  }

  async close(): Promise<void> {
    await this.#reader.close();
  }
}
