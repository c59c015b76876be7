/**
 * Routing of one task's emits: per output stream, the groupers of every subscription, and the
 * endpoints (queues) of the target tasks. Spout and bolt tasks share it and differ only in how
 * they anchor the tuples it creates ({@link AnchorHook}).
 */
import { ErrorCodes, SquallError } from '../errors.js';
import type { Counter } from '../metrics/registry.js';
import type { Grouper } from './grouper.js';
import { type StreamSchema, TupleImpl } from './tuple-impl.js';

/** Where tuples for one task go: a local executor's inbox, or a channel to another worker. */
export interface TupleEndpoint {
  push(tuple: TupleImpl): void;
  load(): number;
}

/** Sets a new tuple's anchoring before it is delivered. */
export interface AnchorHook {
  anchorTuple(tuple: TupleImpl): void;
}

/** One output stream of one task. */
export class StreamOut {
  constructor(
    readonly schema: StreamSchema,
    readonly groupers: readonly Grouper[],
    /** Tasks subscribed to this stream with a direct grouping; null if the stream is not direct. */
    readonly directTargets: ReadonlySet<number> | null,
    readonly emitted: Counter,
    /** Copies delivered to subscribed tasks: an emit to two subscribers transfers two. */
    readonly transferred: Counter,
  ) {}
}

export class TaskOutput {
  readonly taskId: number;
  readonly component: string;
  readonly #streams: ReadonlyMap<string, StreamOut>;
  readonly #endpoints: readonly (TupleEndpoint | undefined)[];
  readonly defaultOut: StreamOut | undefined;

  constructor(component: string, taskId: number, streams: ReadonlyMap<string, StreamOut>, endpoints: readonly (TupleEndpoint | undefined)[]) {
    this.component = component;
    this.taskId = taskId;
    this.#streams = streams;
    this.#endpoints = endpoints;
    this.defaultOut = streams.get('default');
  }

  /** The output stream `id`, or a clear error naming the streams this component declares. */
  stream(id: string): StreamOut {
    const out = this.#streams.get(id);
    if (out === undefined) {
      const known = [...this.#streams.keys()].join(', ') || 'none';
      throw new SquallError(ErrorCodes.INVALID_EMIT, `'${this.component}' emitted on undeclared stream '${id}': declare it in outputs (declared: ${known})`, {
        component: this.component,
      });
    }
    return out;
  }

  checkArity(out: StreamOut, values: readonly unknown[]): void {
    if (!Array.isArray(values) || values.length !== out.schema.fields.length) {
      throw new SquallError(
        ErrorCodes.INVALID_EMIT,
        `'${this.component}' emitted ${Array.isArray(values) ? values.length : 'a non-array of'} values on stream '${out.schema.stream}', which declares ${out.schema.fields.length} fields (${out.schema.fields.join(', ')})`,
        { component: this.component },
      );
    }
  }

  /** Tuples emitted on every stream (one per emit call). */
  emittedTotal(): number {
    let n = 0;
    for (const out of this.#streams.values()) n += out.emitted.value;
    return n;
  }

  /** Routes `values` through every subscription of `out`. Returns the number of tuples sent. */
  send(out: StreamOut, values: readonly unknown[], hook: AnchorHook | null): number {
    if (values.length !== out.schema.fields.length) this.checkArity(out, values);
    const groupers = out.groupers;
    let sent = 0;
    for (let g = 0; g < groupers.length; g++) {
      const grouper = groupers[g]!;
      const task = grouper.choose(values);
      if (task >= 0) {
        this.#deliver(out, values, task, hook);
        sent++;
      } else {
        const many = grouper.many;
        for (let i = 0; i < many.length; i++) this.#deliver(out, values, many[i]!, hook);
        sent += many.length;
      }
    }
    out.emitted.value++;
    out.transferred.value += sent;
    return sent;
  }

  /** Sends `values` to one task subscribed to the direct stream `out`. */
  sendDirect(out: StreamOut, task: number, values: readonly unknown[], hook: AnchorHook | null): number {
    this.checkArity(out, values);
    if (out.directTargets === null) {
      throw new SquallError(ErrorCodes.NOT_DIRECT_STREAM, `'${this.component}' used emitDirect on stream '${out.schema.stream}', which is not direct: declare it as { fields: [...], direct: true }`, {
        component: this.component,
      });
    }
    if (!out.directTargets.has(task)) {
      throw new SquallError(
        ErrorCodes.INVALID_EMIT,
        `'${this.component}' emitted directly to task ${task}, which does not subscribe to '${out.schema.stream}' with direct() (subscribed tasks: ${[...out.directTargets].join(', ') || 'none'})`,
        { component: this.component },
      );
    }
    this.#deliver(out, values, task, hook);
    out.emitted.value++;
    out.transferred.value++;
    return 1;
  }

  #deliver(out: StreamOut, values: readonly unknown[], task: number, hook: AnchorHook | null): void {
    const tuple = new TupleImpl(values, out.schema, this.taskId, task);
    if (hook !== null) hook.anchorTuple(tuple);
    this.#endpoints[task]!.push(tuple);
  }
}
