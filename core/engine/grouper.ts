/**
 * Turns a subscription's {@link Grouping} into a chooser for one emitting task. `choose` returns
 * the target task, or -1 when the tuple goes to every task listed in `many`.
 */
import { ErrorCodes, SquallError } from '../errors.js';
import type { CustomGroupingFn, Grouping } from '../topology/grouping.js';
import { hashValues } from './hash.js';

/** What a grouper may ask of the runtime about a target task. */
export interface TargetInfo {
  /** Fraction of the task's queue in use (0 = empty, 1 = full). */
  load(task: number): number;
  /** True when the task runs in this worker process. */
  isLocal(task: number): boolean;
}

export interface Grouper {
  choose(values: readonly unknown[]): number;
  readonly many: readonly number[];
}

/** Above this load a shuffle steers to another task when it can. */
const BUSY_LOAD = 0.5;

class ShuffleGrouper implements Grouper {
  readonly many: readonly number[] = [];
  readonly #targets: readonly number[];
  readonly #info: TargetInfo;
  #next: number;

  constructor(targets: readonly number[], info: TargetInfo) {
    this.#targets = targets;
    this.#info = info;
    this.#next = Math.floor(Math.random() * targets.length);
  }

  choose(): number {
    const targets = this.#targets;
    const n = targets.length;
    if (n === 1) return targets[0]!;
    let best = -1;
    let bestLoad = Infinity;
    for (let k = 0; k < n; k++) {
      const task = targets[this.#next]!;
      this.#next = this.#next + 1 === n ? 0 : this.#next + 1;
      const load = this.#info.load(task);
      if (load < BUSY_LOAD) return task;
      if (load < bestLoad) {
        bestLoad = load;
        best = task;
      }
    }
    return best;
  }
}

class FieldsGrouper implements Grouper {
  readonly many: readonly number[] = [];
  readonly #targets: readonly number[];
  readonly #indices: readonly number[];

  constructor(targets: readonly number[], indices: readonly number[]) {
    this.#targets = targets;
    this.#indices = indices;
  }

  choose(values: readonly unknown[]): number {
    return this.#targets[hashValues(values, this.#indices) % this.#targets.length]!;
  }
}

/** Two candidate tasks per key; the one this emitter has sent less to wins (Storm's PKG). */
class PartialKeyGrouper implements Grouper {
  readonly many: readonly number[] = [];
  readonly #targets: readonly number[];
  readonly #indices: readonly number[];
  readonly #sent: Float64Array;

  constructor(targets: readonly number[], indices: readonly number[]) {
    this.#targets = targets;
    this.#indices = indices;
    this.#sent = new Float64Array(targets.length);
  }

  choose(values: readonly unknown[]): number {
    const n = this.#targets.length;
    const a = hashValues(values, this.#indices) % n;
    const b = hashValues(values, this.#indices, 0x5bd1e995) % n;
    const pick = this.#sent[a]! <= this.#sent[b]! ? a : b;
    this.#sent[pick]!++;
    return this.#targets[pick]!;
  }
}

class FixedGrouper implements Grouper {
  readonly many: readonly number[];
  readonly #single: number;
  constructor(single: number, many: readonly number[] = []) {
    this.#single = single;
    this.many = many;
  }
  choose(): number {
    return this.#single;
  }
}

class CustomGrouper implements Grouper {
  many: number[] = [];
  readonly #targets: readonly number[];
  readonly #fn: CustomGroupingFn;
  readonly #describe: string;

  constructor(targets: readonly number[], fn: CustomGroupingFn, describe: string) {
    this.#targets = targets;
    this.#fn = fn;
    this.#describe = describe;
  }

  choose(values: readonly unknown[]): number {
    const picked = this.#fn(values, this.#targets);
    if (typeof picked === 'number') return this.#task(picked);
    this.many = picked.map((i) => this.#task(i));
    return -1;
  }

  #task(index: number): number {
    const task = this.#targets[index];
    if (task === undefined) {
      throw new SquallError(ErrorCodes.INVALID_EMIT, `custom grouping ${this.#describe} chose index ${index}, but there are ${this.#targets.length} target tasks (0..${this.#targets.length - 1})`);
    }
    return task;
  }
}

/**
 * Builds the grouper an emitting task uses for one subscription.
 * @param targets the subscriber's task ids, ascending
 * @param fields the stream's declared fields
 */
export function createGrouper(grouping: Grouping, targets: readonly number[], fields: readonly string[], info: TargetInfo, describe: string): Grouper {
  switch (grouping.type) {
    case 'shuffle':
      return new ShuffleGrouper(targets, info);
    case 'localOrShuffle': {
      const local = targets.filter((t) => info.isLocal(t));
      return new ShuffleGrouper(local.length > 0 ? local : targets, info);
    }
    case 'fields':
      return new FieldsGrouper(targets, grouping.fields.map((f) => fields.indexOf(f)));
    case 'partialKey':
      return new PartialKeyGrouper(targets, grouping.fields.map((f) => fields.indexOf(f)));
    case 'all':
      return new FixedGrouper(-1, targets);
    case 'global':
      return new FixedGrouper(Math.min(...targets));
    case 'custom':
      return new CustomGrouper(targets, grouping.choose, describe);
    case 'direct':
      // Direct subscriptions receive only what emitDirect addresses to them.
      return new FixedGrouper(-1, []);
  }
}
