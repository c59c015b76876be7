/**
 * A spout over a function that makes values: synthetic traffic, test data, word lists. It is
 * replayable (a failed tuple is emitted again with the same values, up to `maxRetries` times,
 * then goes to `errors`), can be limited to a count, and can be paced to a rate.
 */
import { type FailReason, type Spout, type SpoutOutputCollector, type TopologyContext, ErrorCodes, SquallError } from '../../core/index.js';

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

interface Pending {
  readonly values: unknown[];
  attempts: number;
}

export class GeneratorSpout implements Spout {
  readonly #options: Required<GeneratorSpoutOptions>;
  #collector!: SpoutOutputCollector;
  #context!: TopologyContext;
  #index = 0;
  #ended = false;
  readonly #pending = new Map<number, Pending>();
  readonly #replays: number[] = [];
  #windowStart = 0;
  #windowCount = 0;

  constructor(options: GeneratorSpoutOptions) {
    if (typeof options?.next !== 'function') {
      throw new SquallError(ErrorCodes.MISSING_IMPLEMENTATION, 'GeneratorSpout needs a next(index) function that returns the values of a tuple');
    }
    this.#options = { limit: Infinity, ratePerSecond: Infinity, maxRetries: 3, ...options };
  }

  open(context: TopologyContext, collector: SpoutOutputCollector): void {
    this.#context = context;
    this.#collector = collector;
  }

  nextTuple(): void {
    const replay = this.#replays.shift();
    if (replay !== undefined) {
      this.#collector.emit(this.#pending.get(replay)!.values, replay);
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
    this.#pending.set(index, { values, attempts: 0 });
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
    this.#pending.delete(msgId as number);
  }

  fail(msgId: unknown, reason: FailReason): void {
    const index = msgId as number;
    const pending = this.#pending.get(index);
    if (pending === undefined) return;
    pending.attempts++;
    if (pending.attempts <= this.#options.maxRetries) {
      this.#replays.push(index);
      return;
    }
    this.#pending.delete(index);
    const why = `${reason.kind} in '${reason.component}' after ${pending.attempts} attempts: ${reason.message}`;
    this.#collector.emitTo('errors', [JSON.stringify(pending.values), why, `generator#${index}`]);
  }

  exhausted(): boolean {
    return (this.#ended || this.#index >= this.#options.limit) && this.#replays.length === 0;
  }
}
