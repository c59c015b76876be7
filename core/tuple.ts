/** Tuples: the values a component emits on a stream, with where they came from. */

/** A tuple as a bolt sees it. Its id and anchors are internal to the engine. */
export interface Tuple<F extends string = string> {
  /** The values, in the order of the stream's declared fields. */
  readonly values: readonly unknown[];
  /** The stream's declared fields. */
  readonly fields: readonly F[];
  readonly sourceComponent: string;
  readonly sourceStream: string;
  readonly sourceTask: number;
  /** The value of a declared field. Throws on a field the stream does not declare. */
  get<T = unknown>(field: F): T;
  /** True for the tick tuples a component asked for with `tickIntervalMs`. */
  isTick(): boolean;
}

/** The component and stream of tick tuples. */
export const SYSTEM_COMPONENT = '__system';
export const TICK_STREAM = '__tick';

/** Why a tuple tree failed, as passed to `Spout.fail`. */
export interface FailReason {
  /** `error`: a bolt threw; `timeout`: the tree was not complete in time; `explicit`: a bolt called fail. */
  readonly kind: 'error' | 'timeout' | 'explicit';
  /** The component that failed the tuple (the spout's own id for a timeout). */
  readonly component: string;
  readonly task: number;
  readonly message: string;
  /** The error's code, when it has one. */
  readonly code?: string;
}
