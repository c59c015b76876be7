/**
 * A spout over a function that makes values: synthetic traffic, test data, word lists. It is
 * replayable (a failed tuple is emitted again with the same values, up to `maxRetries` times,
 * then goes to `errors`, and is acked once the errors output has it), can be limited to a count, and can be paced to a rate.
 */
import { type FailReason, type Spout, type SpoutOutputCollector, type SpoutRecordCounts, type TopologyContext, ErrorCodes, SquallError } from '../../core/index.js';
import { type GivenUp, ReplayBuffer } from '../replay-buffer.js';

export interface GeneratorSpoutOptions {
  /** Makes the values of tuple `index` (from 0), or `undefined` when the source has ended. */
  readonly next: (index: number, context: TopologyContext) => unknown[] | undefined;
  /** Stop after this many tuples. @default Infinity */
  readonly limit?: number;
  /** Emit at most this many tuples per second. @default Infinity */
  readonly ratePerSecond?: number;
  /** Times a failed tuple is emitted again before it goes to `errors`. @default 3 */
  readonly maxRetries?: number;
}

export class GeneratorSpout implements Spout {
  readonly #options: Required<GeneratorSpoutOptions>;
  #collector!: SpoutOutputCollector;
  #context!: TopologyContext;
  #index = 0;
  #ended = false;
  readonly #replay: ReplayBuffer<unknown[]>;
  #windowStart = 0;
  #windowCount = 0;

  constructor(options: GeneratorSpoutOptions) {
    if (typeof options?.next !== 'function') {
      throw new SquallError(ErrorCodes.MISSING_IMPLEMENTATION, 'GeneratorSpout needs a next(index) function that returns the values of a tuple');
    }
    this.#options = { limit: Infinity, ratePerSecond: Infinity, maxRetries: 3, ...options };
    this.#replay = new ReplayBuffer(this.#options.maxRetries);
  }

  open(context: TopologyContext, collector: SpoutOutputCollector): void {
    this.#context = context;
    this.#collector = collector;
  }

  nextTuple(): void {
    const replay = this.#replay.nextReplay();
    if (replay !== undefined) {
      if (replay.givenUp === undefined) this.#collector.emit(replay.value, replay.id);
      else this.#emitGivenUp(replay.id, replay.givenUp);
      return;
    }
    if (this.#ended || !this.#mayEmit()) return;
    if (this.#index >= this.#options.limit) {
      this.#ended = true;
      return;
    }
    const index = this.#index++;
    const values = this.#options.next(index, this.#context);
    if (values === undefined) {
      this.#ended = true;
      return;
    }
    this.#replay.track(index, values);
    this.#collector.emit(values, index);
  }

  /** A one-second window counter: cheap, and exact enough for pacing synthetic load. */
  #mayEmit(): boolean {
    if (this.#options.ratePerSecond === Infinity) return true;
    const now = Date.now();
    if (now - this.#windowStart >= 1000) {
      this.#windowStart = now;
      this.#windowCount = 0;
    }
    if (this.#windowCount >= this.#options.ratePerSecond) return false;
    this.#windowCount++;
    return true;
  }

  ack(msgId: unknown): void {
    this.#replay.ack(msgId as number);
  }

  fail(msgId: unknown, reason: FailReason): void {
    const givenUp = this.#replay.fail(msgId as number, reason);
    if (givenUp !== undefined) this.#emitGivenUp(msgId as number, givenUp);
  }

  /** To errors, tracked under the tuple's id: it is acked once the errors output has it. */
  #emitGivenUp(id: number, givenUp: GivenUp<unknown[]>): void {
    this.#collector.emitTo('errors', [JSON.stringify(givenUp.value), givenUp.reason, `generator#${id}`], id);
  }

  records(): SpoutRecordCounts {
    return this.#replay.counts();
  }

  exhausted(): boolean {
    return (this.#ended || this.#index >= this.#options.limit) && !this.#replay.replaysWaiting;
  }
}
