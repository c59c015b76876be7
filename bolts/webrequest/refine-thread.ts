/**
 * The refine bolt's thread module: refines one {@link RefineBatch} per task in a thread of the
 * bolt's pool, and hands the {@link RefinedBatch} back as one msgpackr buffer, moved rather than
 * copied. Decoding that buffer costs the main thread far less than a structured clone of a batch
 * of 35-field records would. When the batch names an output encoding, the records are encoded
 * here too, and the main thread only passes their bytes on to the sink.
 *
 * Each thread reads the GeoLite2 databases the main thread opened (shared memory, passed with
 * each batch: a SharedArrayBuffer crosses threads without a copy) and keeps its own caches. Salts arrive with each
 * batch and stay in this thread's memory only.
 */
import { encodingKey, RecordBytesEncoder } from '../hdfs/encoded-record.js';
import { transferResult } from '../../core/index.js';
import { CanonicalizeCaches } from './canonicalize.js';
import { type GeoLookup, GeoReader, type SharedGeoDatabases, openSharedGeoReader } from './geotag.js';
import { refineBatch, type RefineBatch } from './refine-batch.js';
import { packRefinedBatch } from './refined-batch-codec.js';

/** A batch as the bolt sends it to a thread: with the process's GeoLite2 databases. */
export type ThreadRefineBatch = RefineBatch & { readonly geo?: SharedGeoDatabases };

/** The main thread's databases when the batch brings them (one copy per process), else this thread's own. */
let geo: GeoLookup | undefined;
const caches = new CanonicalizeCaches();
/** Salts by period, as the last batch listed them; the same Buffer while a salt is unchanged. */
const salts = new Map<string, Buffer>();
/** One encoder per output encoding the batches ask for (in practice one). */
const encoders = new Map<string, RecordBytesEncoder>();

function takeSalts(listed: RefineBatch['salts']): void {
  const periods = new Set<string>();
  for (const [period, bytes] of listed) {
    periods.add(period);
    const held = salts.get(period);
    if (held === undefined || !held.equals(bytes)) salts.set(period, Buffer.from(bytes));
  }
  for (const period of salts.keys()) if (!periods.has(period)) salts.delete(period);
}

function encoderFor(batch: RefineBatch): RecordBytesEncoder | undefined {
  if (batch.encoding === undefined) return undefined;
  const key = encodingKey(batch.encoding);
  let encoder = encoders.get(key);
  if (encoder === undefined) encoders.set(key, (encoder = new RecordBytesEncoder(batch.encoding)));
  return encoder;
}

/** Refine one batch; the result is a msgpackr buffer of its {@link RefinedBatch}. */
export default async function refineInThread(batch: ThreadRefineBatch): Promise<Uint8Array> {
  geo ??= batch.geo === undefined ? await openSharedGeoReader() : GeoReader.fromShared(batch.geo);
  takeSalts(batch.salts);
  const refined = refineBatch(batch, { geo, caches, saltFor: (period) => salts.get(period), encoder: encoderFor(batch) });
  const packed = packRefinedBatch(refined);
  // The packed bytes are a view of the packer's reused buffer: copy them into one that can move.
  const bytes = new Uint8Array(packed.length);
  bytes.set(packed);
  return transferResult(bytes, [bytes.buffer]);
}
