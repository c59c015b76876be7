/** The bolt contract: processing and sinks, Storm's IBolt in TypeScript. */
import type { TopologyContext } from './context.js';
import type { Tuple } from './tuple.js';

/** The tuples a new tuple is anchored to: one, several, or `null` for an unanchored emit. */
export type Anchors = Tuple | readonly Tuple[] | null;

/** How a bolt emits, acks and fails. */
export interface OutputCollector {
  /**
   * Emits on the `default` stream, anchored to `anchors`. In `auto` ack mode the anchors default
   * to the tuple being executed.
   */
  emit(values: unknown[], anchors?: Anchors): void;
  /** Emits on a named stream. */
  emitTo(stream: string, values: unknown[], anchors?: Anchors): void;
  /** Emits to one task of a bolt that subscribed to this direct stream. */
  emitDirect(taskId: number, stream: string, values: unknown[], anchors?: Anchors): void;
  /** Marks a tuple processed. In `auto` mode the engine does this after `execute`. */
  ack(tuple: Tuple): void;
  /** Fails a tuple's whole tree; the reason reaches the spout's `fail`. */
  fail(tuple: Tuple, reason?: string | Error): void;
  /**
   * Lets go of a tuple's values while the bolt keeps the tuple to ack or fail later: a sink that
   * has written a record but acks it only once its file commits. What the values referenced can
   * then be collected at once instead of living until the ack. The tuple can still be acked,
   * failed and used as an anchor; reading its values afterwards throws
   * `SQUALL_ERR_TUPLE_RELEASED`. The engine's collector has it; a collector without it (a test
   * double) keeps the values, which changes nothing else.
   */
  release?(tuple: Tuple): void;
  /** Records an error against this component without failing anything. */
  reportError(error: unknown): void;
  /**
   * Records an error after which this task cannot go on (a sink whose storage stayed full past
   * `storageDeadlineMs`): the topology stops as for a spout's `reportFatalError`, and a local
   * run exits 1 with this error as its last line. Optional for test doubles.
   */
  reportFatalError?(error: unknown): void;
  /**
   * Says this task holds its input because of `cause`, a fault outside the records (storage
   * that cannot take writes), or, with `undefined`, that it no longer does. While any task
   * holds, message timeouts pause: the tuples waiting behind it are not failed and replayed,
   * which could not help. Optional for test doubles.
   */
  holdInput?(cause: Error | undefined): void;
}

/**
 * `auto` (Storm's BasicBolt): emits are anchored to the input, the input is acked when `execute`
 * returns (or its promise resolves) and failed when it throws (or rejects).
 * `manual` (Storm's RichBolt): the bolt anchors, acks and fails itself, for example a sink that
 * acks only once its file is committed.
 */
export type AckMode = 'auto' | 'manual';

/**
 * Why a bolt is flushed:
 * - `end-of-input`: every spout is exhausted; a window may close for good.
 * - `shutdown`: the topology is stopping; persist what is held, but the stream may resume later.
 * - `stalled`: spouts are held back by `maxSpoutPending` while nothing moves, because bolts hold
 *   unacked tuples (a sink waiting to fill a file, say); release them by committing.
 */
export type FlushReason = 'end-of-input' | 'shutdown' | 'stalled';

/** Processing: receives tuples, emits tuples. `execute` never runs concurrently with itself. */
export interface Bolt<F extends string = string> {
  /** @default 'auto' */
  readonly ackMode?: AckMode;
  prepare?(context: TopologyContext, collector: OutputCollector): void | Promise<void>;
  /** Handles one tuple. May return a promise; the next tuple waits for it. */
  execute(tuple: Tuple<F>): void | Promise<void>;
  /**
   * Asks a bolt that buffers (a window, a sink's open file) to emit or commit what it holds.
   * Bolts are flushed upstream first, with the queues drained in between. See {@link FlushReason}.
   */
  flush?(reason: FlushReason): void | Promise<void>;
  cleanup?(): void | Promise<void>;
}
