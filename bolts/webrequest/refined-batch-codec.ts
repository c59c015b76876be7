/**
 * How a {@link RefinedBatch} crosses from a refine thread to the main thread: one msgpackr
 * buffer with record structures, so each record's 35 field names are written once per batch and
 * decoding builds plain objects quickly. Encoded records travel as one binary field, which the
 * main thread reads in place.
 */
import { Packr, Unpackr, type Options } from 'msgpackr';
import type { RefinedBatch } from './refine-batch.js';

/** The msgpackr options both ends use. Structures travel inline: no state is shared. */
export const REFINED_BATCH_PACKING: Options = Object.freeze({ useRecords: true, bundleStrings: true });

/** A batch as packed: the line ends as their bytes (msgpackr does not keep a Uint32Array's type). */
type Packed = Omit<RefinedBatch, 'encoded'> & { readonly encoded?: { readonly data: Uint8Array; readonly ends: Uint8Array } };

let packr: Packr | undefined;
const unpackr = new Unpackr(REFINED_BATCH_PACKING);

/** Encode a batch's outcome (in a thread). The result is a view of a reused buffer: copy it before it moves. */
export function packRefinedBatch(refined: RefinedBatch): Uint8Array {
  packr ??= new Packr(REFINED_BATCH_PACKING);
  const e = refined.encoded;
  const packed: Packed = e === undefined ? (refined as Packed) : { ...refined, encoded: { data: e.data, ends: Buffer.from(e.ends.buffer, e.ends.byteOffset, e.ends.byteLength) } };
  return packr.pack(packed);
}

/** Decode a batch's outcome (on the main thread). Encoded data stays a view of `bytes`. */
export function unpackRefinedBatch(bytes: Uint8Array): RefinedBatch {
  const packed = unpackr.unpack(bytes) as Packed;
  const e = packed.encoded;
  if (e === undefined) return packed as RefinedBatch;
  const ends = new Uint32Array(e.ends.byteLength / 4);
  Buffer.from(ends.buffer).set(e.ends);
  // msgpackr gives a Uint8Array view here (a Buffer in Node only when it packed a Buffer's bytes).
  const data = Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength);
  return { ...packed, encoded: { data, ends } };
}
