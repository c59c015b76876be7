/**
 * The thread half of a {@link ThreadedBolt}: what runs in the worker's threads. A thread module
 * exports `threadBolt({ execute })` as its default; the bolt sends it batches of tuples, and it
 * answers with each tuple's emits and failures, which the bolt then emits anchored to that
 * tuple, acking the rest, on the main thread. Kept apart from the bolt so that a thread loads
 * only this (and what the handler imports).
 *
 * @example
 * ```ts
 * // upper-thread.ts
 * export default threadBolt({
 *   execute(tuple, out) {
 *     out.emit([String(tuple.get('word')).toUpperCase()]);
 *   },
 * });
 * ```
 */

/** A tuple as a thread sees it: its values, which crossed threads by structured clone. */
export interface ThreadTuple {
  readonly values: readonly unknown[];
  get<T = unknown>(field: string): T;
}

/** How a thread handler answers for the tuple it executes. */
export interface ThreadOutput {
  /** Emits `values` on `stream`, anchored to the tuple. @default stream 'default' */
  emit(values: unknown[], stream?: string): void;
  /** Fails the tuple with `reason` (it is not acked; its emits so far still go out). */
  fail(reason: string): void;
}

/** What a thread handler knows of the bolt task it serves. */
export interface ThreadTaskInfo {
  readonly componentId: string;
  readonly taskId: number;
  /** The topology config merged with the component's. */
  readonly config: Readonly<Record<string, unknown>>;
}

/** A thread handler: `execute` per tuple, with state made by `init` once per bolt task and thread. */
export interface ThreadBoltHandler<S> {
  init?(task: ThreadTaskInfo): S;
  execute(tuple: ThreadTuple, out: ThreadOutput, state: S): void;
}

/** A batch sent to the threads. */
export interface ThreadBatch {
  /** The bolt task, unique in the process: its state's key. */
  readonly key: string;
  readonly task: ThreadTaskInfo;
  readonly fields: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
}

/** A batch's answer: `emits` as (row index, stream, values) triples, and the rows failed. */
export interface ThreadBatchResult {
  readonly emits: unknown[];
  readonly failed: [number, string][];
}

/** Makes a thread module's default export from a per-tuple handler. */
export function threadBolt<S = undefined>(handler: ThreadBoltHandler<S>): (batch: ThreadBatch) => ThreadBatchResult {
  const states = new Map<string, S>();
  return (batch) => {
    let state = states.get(batch.key);
    if (state === undefined && !states.has(batch.key)) states.set(batch.key, (state = handler.init?.(batch.task) as S));
    const index = new Map(batch.fields.map((f, i) => [f, i]));
    const emits: unknown[] = [];
    const failed: [number, string][] = [];
    let row = 0;
    let values: readonly unknown[] = [];
    const tuple: ThreadTuple = {
      get values() {
        return values;
      },
      get: <T>(field: string) => {
        const i = index.get(field);
        if (i === undefined) throw new TypeError(`no field '${field}' in this tuple: it has ${batch.fields.join(', ')}`);
        return values[i] as T;
      },
    };
    const out: ThreadOutput = {
      emit: (emitted, stream = 'default') => void emits.push(row, stream, emitted),
      fail: (reason) => void failed.push([row, reason]),
    };
    for (; row < batch.rows.length; row++) {
      values = batch.rows[row]!;
      try {
        handler.execute(tuple, out, state as S);
      } catch (error) {
        failed.push([row, error instanceof Error ? error.message : String(error)]);
      }
    }
    return { emits, failed };
  };
}
