/**
 * The wire form of what runtimes send each other: batches of tuples, and batches of acks and
 * fails, each framed with msgpackr. A tuple travels as its destination and source task, its
 * stream (component and stream id), its values, and its anchoring: for each root, the root's
 * spout task, its id in that task's acker, and the XOR of the tuple's edge ids for it.
 *
 * Values keep their msgpack types: strings, numbers, booleans, null, undefined, arrays, plain
 * objects, Buffers (as Uint8Array-backed Buffers), Dates, Maps, Sets and bigints. A class
 * travels as itself once it is registered with {@link registerWireType} (the module that
 * defines it registers it, so every process that loads the topology knows it); any other class
 * instance arrives as a plain object.
 *
 * @example
 * ```ts
 * const bytes = encodeTupleBatch(tuples.map(toWireTuple));
 * runtime.deliver(decodeTupleBatch(bytes));
 * ```
 */
import { Packr, addExtension } from 'msgpackr';
import type { FailReason } from '../tuple.js';
import type { TupleImpl } from './tuple-impl.js';

/** A tuple between two runtimes. */
export interface WireTuple {
  readonly dest: number;
  readonly source: number;
  readonly component: string;
  readonly stream: string;
  readonly values: readonly unknown[];
  /** Flat `[rootTask, rootId, edgeHi, edgeLo, ...]`; empty for an unanchored tuple. */
  readonly roots: readonly number[];
}

/** An ack or a fail for a root held by another runtime's acker. */
export type WireAck =
  | { readonly kind: 'ack'; readonly rootTask: number; readonly rootId: number; readonly hi: number; readonly lo: number }
  | { readonly kind: 'fail'; readonly rootTask: number; readonly rootId: number; readonly reason: FailReason };

/** How a class travels between workers. */
export interface WireType<T, D> {
  /** The class: its instances are written with `write`. */
  readonly Class: new (...args: never[]) => T;
  /** A msgpack extension type, 1 to 100, unique among registered types. */
  readonly type: number;
  /** What to send of an instance: values msgpack carries (arrays, Buffers, strings, numbers). */
  readonly write: (instance: T) => D;
  /** The instance again, from what `write` gave. */
  readonly read: (data: D) => T;
}

const wireTypes = new Map<number, string>();

/**
 * Makes instances of a class travel between workers as themselves. Registering the same class
 * again is a no-op; another class under a taken type number is refused.
 */
export function registerWireType<T, D>(wire: WireType<T, D>): void {
  const taken = wireTypes.get(wire.type);
  if (taken === wire.Class.name) return;
  if (taken !== undefined) throw new Error(`wire type ${wire.type} is taken by ${taken}: give ${wire.Class.name} another number`);
  if (!(Number.isInteger(wire.type) && wire.type >= 1 && wire.type <= 100)) throw new Error(`a wire type is a number from 1 to 100, got ${wire.type}`);
  wireTypes.set(wire.type, wire.Class.name);
  addExtension({ Class: wire.Class, type: wire.type, write: (instance: T) => wire.write(instance), read: (data: D) => wire.read(data) });
}

/** One packer for every frame: structures are not shared between frames, so any reader can decode any frame. */
const packr = new Packr({ useRecords: false, moreTypes: true });

/** A tuple in its wire form. */
export function toWireTuple(tuple: TupleImpl): WireTuple {
  const roots: number[] = [];
  if (tuple.rootTask >= 0) {
    roots.push(tuple.rootTask, tuple.rootId, tuple.edgeHi, tuple.edgeLo);
    if (tuple.more !== null) roots.push(...tuple.more);
  }
  return { dest: tuple.destTask, source: tuple.sourceTask, component: tuple.schema.component, stream: tuple.schema.stream, values: tuple.values, roots };
}

/** Frames a batch of tuples. */
export function encodeTupleBatch(tuples: readonly WireTuple[]): Buffer {
  const rows = tuples.map((t) => [t.dest, t.source, t.component, t.stream, t.values, t.roots]);
  return packr.pack(rows);
}

/** Reads a frame of {@link encodeTupleBatch}. Throws on bytes that are not one. */
export function decodeTupleBatch(bytes: Uint8Array): WireTuple[] {
  const rows = packr.unpack(bytes) as unknown;
  if (!Array.isArray(rows)) throw new TypeError('not a tuple batch: the frame does not hold an array');
  return rows.map((row: unknown, i) => {
    if (!Array.isArray(row) || row.length !== 6 || !Array.isArray(row[4]) || !Array.isArray(row[5])) throw new TypeError(`not a tuple batch: entry ${i} is not a wire tuple`);
    const [dest, source, component, stream, values, roots] = row as [number, number, string, string, unknown[], number[]];
    return { dest, source, component, stream, values, roots };
  });
}

/** Frames a batch of acks and fails. */
export function encodeAckBatch(acks: readonly WireAck[]): Buffer {
  return packr.pack(acks.map((a) => (a.kind === 'ack' ? [0, a.rootTask, a.rootId, a.hi, a.lo] : [1, a.rootTask, a.rootId, a.reason])));
}

/** Reads a frame of {@link encodeAckBatch}. */
export function decodeAckBatch(bytes: Uint8Array): WireAck[] {
  const rows = packr.unpack(bytes) as unknown;
  if (!Array.isArray(rows)) throw new TypeError('not an ack batch: the frame does not hold an array');
  return rows.map((row: unknown[]) =>
    row[0] === 0
      ? { kind: 'ack' as const, rootTask: row[1] as number, rootId: row[2] as number, hi: row[3] as number, lo: row[4] as number }
      : { kind: 'fail' as const, rootTask: row[1] as number, rootId: row[2] as number, reason: row[3] as FailReason },
  );
}
