/**
 * The engine's tuple: the user-facing {@link Tuple} plus Storm's anchoring state. A tuple's
 * message id maps each root (a spout tuple) to the XOR of the edge ids that lead to it. The
 * first root is held inline because nearly every tuple has exactly one; the rest sit in `more`.
 */
import { ErrorCodes, SquallError } from '../errors.js';
import type { Tuple } from '../tuple.js';

/** A stream's identity and field index, shared by every tuple on it. */
export class StreamSchema {
  readonly component: string;
  readonly stream: string;
  readonly fields: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  readonly isTick: boolean;

  constructor(component: string, stream: string, fields: readonly string[], isTick = false) {
    this.component = component;
    this.stream = stream;
    this.fields = fields;
    this.index = new Map(fields.map((f, i) => [f, i]));
    this.isTick = isTick;
  }
}

/** A random 32-bit integer: half of a 64-bit edge id. */
export function randomInt32(): number {
  return (Math.random() * 4294967296) | 0;
}

/** Stands in for the values of a released tuple. */
const RELEASED: readonly unknown[] = Object.freeze([]);

export class TupleImpl implements Tuple {
  #values: readonly unknown[];
  readonly schema: StreamSchema;
  readonly sourceTask: number;
  /** The task this copy is delivered to. */
  readonly destTask: number;
  /** The first root's spout task, or -1 for an unanchored tuple. */
  rootTask = -1;
  rootId = 0;
  edgeHi = 0;
  edgeLo = 0;
  /** Further roots, flat: [task, id, hi, lo, ...]. */
  more: number[] | null = null;
  /** XOR of the edge ids of the tuples anchored to this one. */
  ackHi = 0;
  ackLo = 0;
  /** Set once acked or failed, so a second call is a no-op and cannot corrupt the XOR. */
  done = false;
  /** When its `execute` started (performance.now()), for the latency histograms; 0 when not timed. */
  executeStart = 0;

  constructor(values: readonly unknown[], schema: StreamSchema, sourceTask: number, destTask: number) {
    this.#values = values;
    this.schema = schema;
    this.sourceTask = sourceTask;
    this.destTask = destTask;
  }

  get values(): readonly unknown[] {
    const values = this.#values;
    if (values === RELEASED) this.#throwReleased();
    return values;
  }

  /** Drops the values, so that what they reference can be collected; acking and anchoring are unchanged. */
  release(): void {
    this.#values = RELEASED;
  }

  get fields(): readonly string[] {
    return this.schema.fields;
  }
  get sourceComponent(): string {
    return this.schema.component;
  }
  get sourceStream(): string {
    return this.schema.stream;
  }

  get<T = unknown>(field: string): T {
    const i = this.schema.index.get(field);
    if (i === undefined) {
      throw new SquallError(
        ErrorCodes.UNDECLARED_FIELD,
        `field '${field}' is not declared on stream '${this.schema.stream}' of '${this.schema.component}' (fields: ${this.schema.fields.join(', ')})`,
        { component: this.schema.component },
      );
    }
    const values = this.#values;
    if (values === RELEASED) this.#throwReleased();
    return values[i] as T;
  }

  #throwReleased(): never {
    throw new SquallError(
      ErrorCodes.TUPLE_RELEASED,
      `a tuple from '${this.schema.component}' (stream '${this.schema.stream}') was read after its values were released: read what you need before calling release`,
      { component: this.schema.component },
    );
  }

  isTick(): boolean {
    return this.schema.isTick;
  }

  /** XORs an edge into this tuple's entry for a root, adding the root if it is new. */
  xorRoot(task: number, id: number, hi: number, lo: number): void {
    if (this.rootTask < 0) {
      this.rootTask = task;
      this.rootId = id;
      this.edgeHi = hi;
      this.edgeLo = lo;
      return;
    }
    if (this.rootTask === task && this.rootId === id) {
      this.edgeHi ^= hi;
      this.edgeLo ^= lo;
      return;
    }
    const more = (this.more ??= []);
    for (let i = 0; i < more.length; i += 4) {
      if (more[i] === task && more[i + 1] === id) {
        more[i + 2] ^= hi;
        more[i + 3] ^= lo;
        return;
      }
    }
    more.push(task, id, hi, lo);
  }

  /** Anchors `out` to this tuple with a fresh edge id (Storm's `updateAckVal`). */
  anchor(out: TupleImpl): void {
    if (this.rootTask < 0) return;
    const hi = randomInt32();
    const lo = randomInt32();
    this.ackHi ^= hi;
    this.ackLo ^= lo;
    out.xorRoot(this.rootTask, this.rootId, hi, lo);
    const more = this.more;
    if (more !== null) for (let i = 0; i < more.length; i += 4) out.xorRoot(more[i]!, more[i + 1]!, hi, lo);
  }
}
