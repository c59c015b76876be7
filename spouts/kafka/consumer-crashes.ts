/**
 * What the spout does when its Kafka consumer crashes. kafkajs decides from the error whether a
 * restart can help (a broker away, a leader moving) or not (a codec it cannot decode, an
 * authorization error). A retriable crash is restarted after a backoff that grows with each crash
 * in a row, and the log says what the consumer waits for. Any other crash is fatal for the task:
 * it is reported with `reportFatalError`, so the topology stops and says why instead of idling
 * with a task that reads nothing.
 */
import { type Logger, SquallError, messageOf } from '../../core/index.js';
import { KafkaErrorCodes } from './errors.js';
import type { KafkaSpoutMetrics } from './metrics.js';
import { ExponentialBackoff } from './retry-policy.js';

/** The backoff between restarts of a crashed consumer: 1 s, doubling, at most 30 s. */
export const RESTART_BACKOFF = Object.freeze({ initialDelayMs: 1000, multiplier: 2, maxDelayMs: 30_000, maxRetries: Infinity });

export interface ConsumerCrashesOptions {
  readonly brokers: readonly string[];
  readonly logger: Logger;
  readonly metrics: KafkaSpoutMetrics;
  reportError(error: unknown): void;
  reportFatalError(error: unknown): void;
  /** Resolves after `ms`, or at once (false) when the spout closes. */
  delay(ms: number): Promise<boolean>;
}

interface KafkajsError {
  name?: string;
  type?: string;
  code?: string;
  message?: string;
  cause?: unknown;
}

/** The innermost cause, as kafkajs judges retriability by it. */
function rootCause(error: unknown): KafkajsError {
  let e = error as KafkajsError;
  for (let depth = 0; depth < 16 && e?.cause !== undefined && e.cause !== null; depth++) e = e.cause as KafkajsError;
  return e ?? {};
}

/** What a consumer restarting after `error` is waiting for, in words. */
export function waitingFor(error: unknown, brokers: readonly string[]): string {
  const cause = rootCause(error);
  const text = `${cause.name ?? ''} ${cause.type ?? ''} ${cause.code ?? ''} ${cause.message ?? ''}`;
  if (/Connection|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|socket/i.test(text)) return `the brokers (${brokers.join(', ')}) to accept connections`;
  if (/UNKNOWN_TOPIC_OR_PARTITION|does not host this topic-partition/i.test(text)) return 'the topic to exist on the brokers';
  if (/LEADER_NOT_AVAILABLE|NOT_LEADER|leader/i.test(text)) return 'partition leaders to be elected';
  if (/COORDINATOR|coordinator/.test(text)) return "the consumer group's coordinator to be available";
  if (/REBALANCE_IN_PROGRESS/.test(text)) return 'the group to finish rebalancing';
  return `Kafka to answer again (${cause.name ?? 'error'}: ${cause.message ?? messageOf(error)})`;
}

/** How to fix a crash no restart can help, when we can tell. */
function remedyOf(error: unknown): string {
  const cause = rootCause(error);
  const text = `${cause.name ?? ''} ${cause.type ?? ''} ${cause.message ?? ''}`;
  if (/compression not implemented|could not decompress/i.test(text)) return '. A batch is compressed with a codec this process cannot read; the spout logs which library reads each codec when it opens';
  if (/AUTHORIZATION/i.test(text)) return ". Grant the client's principal Describe and Read on the topic and Read on the consumer group";
  return '';
}

export class ConsumerCrashes {
  readonly #options: ConsumerCrashesOptions;
  readonly #backoff = new ExponentialBackoff(RESTART_BACKOFF);
  /** Crashes since the consumer last delivered records. */
  #inARow = 0;
  /** The spout closed while a restart waited: the crash that follows is the close, not a failure. */
  #closed = false;

  constructor(options: ConsumerCrashesOptions) {
    this.#options = options;
  }

  /** The consumer works again: the next crash starts the backoff afresh. */
  recovered(): void {
    this.#inARow = 0;
  }

  /**
   * Called by the client before it restarts after a retriable crash: waits the backoff, saying
   * what for. Resolves false (no restart) when the spout closes meanwhile.
   */
  async beforeRestart(error: unknown): Promise<boolean> {
    const attempt = ++this.#inARow;
    const ms = this.#backoff.delayMs(attempt);
    this.#options.logger.warn(`the Kafka consumer crashed (${attempt} in a row): ${messageOf(error)}; restarting it in ${ms} ms, waiting for ${waitingFor(error, this.#options.brokers)}`);
    const restart = await this.#options.delay(ms);
    if (restart) this.#options.metrics.consumerRestarts.inc();
    else this.#closed = true;
    return restart;
  }

  /** The consumer crashed; `restarting` says whether the client restarts it. */
  crashed(error: unknown, restarting: boolean): void {
    this.#options.metrics.consumerCrashes.inc();
    if (restarting) {
      const message = `the Kafka consumer crashed and restarts (partitions are assigned afresh): ${messageOf(error)}`;
      this.#options.reportError(new SquallError(KafkaErrorCodes.CONSUMER_CRASH, message, { retriable: true, cause: error }));
      return;
    }
    if (this.#closed) return;
    const message = `the Kafka consumer failed and no restart can help: ${messageOf(error)}${remedyOf(error)}`;
    this.#options.reportFatalError(new SquallError(KafkaErrorCodes.CONSUMER_CRASH, message, { retriable: false, cause: error }));
  }
}
