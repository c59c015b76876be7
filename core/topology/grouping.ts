/**
 * Stream groupings: how a stream's tuples are divided among the tasks of a subscribing bolt.
 * Each helper returns a plain, serializable description; the engine turns it into a chooser.
 */

/** A user-defined grouping: return the index (or indices) into `targetTasks` to send to. */
export type CustomGroupingFn = (values: readonly unknown[], targetTasks: readonly number[]) => number | readonly number[];

/** How a subscription divides tuples among the tasks of the subscriber. */
export type Grouping<F extends string = string> =
  | { readonly type: 'shuffle' }
  | { readonly type: 'fields'; readonly fields: readonly F[] }
  | { readonly type: 'partialKey'; readonly fields: readonly F[] }
  | { readonly type: 'all' }
  | { readonly type: 'global' }
  | { readonly type: 'direct' }
  | { readonly type: 'localOrShuffle' }
  | { readonly type: 'custom'; readonly name: string; readonly choose: CustomGroupingFn };

/** Load-aware shuffle: spreads tuples evenly, steering away from tasks whose queues are fuller. */
export function shuffle(): { readonly type: 'shuffle' } {
  return { type: 'shuffle' };
}

/** Tuples with equal values in `fields` always go to the same task. */
export function fields<const F extends string>(...names: F[]): { readonly type: 'fields'; readonly fields: readonly F[] } {
  return { type: 'fields', fields: names };
}

/**
 * Like {@link fields}, but each key may go to one of two tasks, whichever has had less load,
 * which evens out skewed keys (Storm's PartialKeyGrouping). Downstream must merge partial results.
 */
export function partialKey<const F extends string>(...names: F[]): { readonly type: 'partialKey'; readonly fields: readonly F[] } {
  return { type: 'partialKey', fields: names };
}

/** Every task receives a copy of every tuple. */
export function all(): { readonly type: 'all' } {
  return { type: 'all' };
}

/** The whole stream goes to the subscriber's task with the lowest id. */
export function global(): { readonly type: 'global' } {
  return { type: 'global' };
}

/** The emitter picks the task with `emitDirect`; the stream must be declared `direct`. */
export function direct(): { readonly type: 'direct' } {
  return { type: 'direct' };
}

/** Prefer tasks in the same worker process; shuffle among all when there are none. */
export function localOrShuffle(): { readonly type: 'localOrShuffle' } {
  return { type: 'localOrShuffle' };
}

/** A grouping computed by `choose`, named for error messages and the UI. */
export function custom(name: string, choose: CustomGroupingFn): { readonly type: 'custom'; readonly name: string; readonly choose: CustomGroupingFn } {
  return { type: 'custom', name, choose };
}
