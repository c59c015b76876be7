/**
 * How a {@link RefinedBatch} crosses from a refine thread to the main thread: one msgpackr
 * buffer with record structures, so each record's 35 field names are written once per batch and
 * decoding builds plain objects quickly.
 */
import { Unpackr, type Options } from 'msgpackr';
import type { RefinedBatch } from './refine-batch.js';

/** The msgpackr options both ends use. Structures travel inline: no state is shared. */
export const REFINED_BATCH_PACKING: Options = Object.freeze({ useRecords: true, bundleStrings: true });

const unpackr = new Unpackr(REFINED_BATCH_PACKING);

/** Decode a batch's outcome (on the main thread). */
export function unpackRefinedBatch(bytes: Uint8Array): RefinedBatch {
  return unpackr.unpack(bytes) as RefinedBatch;
}
