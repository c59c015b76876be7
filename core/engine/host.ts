/** What executors need from the runtime that hosts them. */
import type { TopologyConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { FailReason } from '../tuple.js';
import type { Acker } from './acker.js';

/** Sends acks and fails to the acker that owns a root: local, or in another worker. */
export interface AckRoute {
  ack(rootTask: number, rootId: number, hi: number, lo: number): void;
  fail(rootTask: number, rootId: number, reason: FailReason): void;
}

export interface ExecutorHost {
  readonly topologyName: string;
  readonly config: TopologyConfig;
  readonly logger: Logger;
  /** The acker for roots of spout tasks in this process. */
  readonly acker: Acker;
  readonly ackRoute: AckRoute;
  /** The clock of the current scheduling round, in ms (performance.now()). */
  readonly now: number;
  /** Aborts when the runtime starts to stop (see `TopologyContext.stopping`). */
  readonly stopping: AbortSignal;
  /** Asks the scheduler for another round soon. */
  wake(): void;
  /** Records a component's error: logged, counted and kept among its last errors. */
  reportError(component: string, task: number, error: unknown): void;
  /** Records an error after which a task cannot go on: the topology fails (see `TopologyRuntime.failure`). */
  reportFatalError(component: string, task: number, error: unknown): void;
  /** A task holds its input because of `cause`, or no longer does (`undefined`); see `OutputCollector.holdInput`. */
  holdInput(component: string, task: number, cause: Error | undefined): void;
}

/**
 * One execute, and one tuple tree, in this many is timed into the latency histograms: a clock
 * read or a histogram search costs about as much as a small execute. The histograms' counts are
 * of timed ones; the emitted, executed, acked and failed counters count every tuple.
 */
export const TIMED_EVERY = 64;

/** A thenable returned by a user hook. */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return value !== undefined && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
