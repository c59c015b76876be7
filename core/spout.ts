/** The spout contract: a source of tuples, Storm's ISpout in TypeScript. */
import type { TopologyContext } from './context.js';
import type { FailReason } from './tuple.js';

/** How a spout emits. Every call is synchronous and cheap; the engine batches underneath. */
export interface SpoutOutputCollector {
  /**
   * Emits on the `default` stream. With a `msgId` the tuple is tracked: the spout's `ack(msgId)`
   * or `fail(msgId, reason)` is called once its tree completes or fails. Without one it is
   * fire-and-forget (at-most-once).
   */
  emit(values: unknown[], msgId?: unknown): void;
  /** Emits on a named stream. */
  emitTo(stream: string, values: unknown[], msgId?: unknown): void;
  /** Emits to one task of a bolt that subscribed to this direct stream. */
  emitDirect(taskId: number, stream: string, values: unknown[], msgId?: unknown): void;
  /** Records an error against this component without failing anything. */
  reportError(error: unknown): void;
  /**
   * Records an error after which this task can never emit again (Storm's report-error-and-die):
   * a source that cannot be read any more. The topology then stops instead of idling: a local
   * run drains what is in flight, closes its components (a spout commits what was acked) and
   * exits 1 with this error as its reason. Use {@link reportError} for anything a retry may fix.
   */
  reportFatalError(error: unknown): void;
}

/** What became of the records a spout read (see {@link Spout.records}). */
export interface SpoutRecordCounts {
  /**
   * Records given up after their retries and sent to the `errors` stream. A given-up record is
   * acked only once the errors output committed it; until then it counts as unwritten too.
   */
  readonly givenUp: number;
  /** Records read and not yet written anywhere: in flight, waiting for a replay, or on their way to errors. */
  readonly unwritten: number;
  /**
   * Lines skipped because they hold no record: empty, or only whitespace. Counted so that the
   * summary can say so; nothing else becomes of them. @default 0
   */
  readonly blank?: number;
}

/**
 * A source of tuples. The engine calls `nextTuple` whenever the spout may emit: never while it
 * has `maxSpoutPending` tuples in flight, nor while its downstream queues are full.
 */
export interface Spout {
  open?(context: TopologyContext, collector: SpoutOutputCollector): void | Promise<void>;
  /**
   * Emits zero or more tuples. A spout with nothing to emit returns quickly; the engine then
   * backs off briefly. An asynchronous source may return a promise, and the engine will not call
   * `nextTuple` again until it settles.
   */
  nextTuple(): void | Promise<void>;
  /** The tuple tree of `msgId` was fully processed. */
  ack?(msgId: unknown): void;
  /** The tuple tree of `msgId` failed or timed out; replay it if the source can. */
  fail?(msgId: unknown, reason: FailReason): void;
  activate?(): void;
  deactivate?(): void;
  close?(): void | Promise<void>;
  /**
   * What became of the records this spout read, for the run's summary: a run that stops with
   * records unwritten, or that gave some up, says so and exits 1. Spouts that replay implement it.
   */
  records?(): SpoutRecordCounts;
  /**
   * True when the spout will emit nothing more, replays included. When every spout of a
   * topology is exhausted and every tuple is acked, a local run ends by itself.
   */
  exhausted?(): boolean;
}
