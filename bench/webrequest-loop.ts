/**
 * The webrequest work with no engine: parse, canonicalize, classify, geotag, HMAC and serialize
 * each line in one tight loop on one thread. The baseline of `bench/webrequest.ts` (local mode)
 * and `bench/cluster.ts` (cluster mode), measured in the same run as what it is compared with.
 * Avro is encoded into blocks the way the sink encodes them (uncompressed: the loop does not
 * compress); NDJSON is JSON text in memory.
 */
import { MemorySaltStore, openSharedGeoReader, refineLine, webrequestRefinedAvroType } from '../bolts/webrequest/index.js';
import { AvroBlockBuilder } from '../bolts/hdfs/avro-block.js';
import { blockCompressor } from '../bolts/hdfs/avro-codecs.js';
import { DEFAULT_AVRO_CONTAINER_OPTIONS } from '../bolts/hdfs/avro-container-format.js';

/** Wall-clock and CPU time of one run, in milliseconds. */
export interface Timing {
  readonly ms: number;
  readonly cpuMs: number;
}

/** CPU time of the whole process (every thread) since `start`, in ms: unlike wall time, not inflated by other tenants. */
export function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

const salts = new MemorySaltStore();

/** Refines and serializes every line once; throws when nothing was refined. */
export async function tightLoop(lines: readonly string[], format: 'ndjson' | 'avro'): Promise<Timing> {
  const geo = await openSharedGeoReader();
  const started = performance.now();
  const cpu = process.cpuUsage();
  let bytes = 0;
  const block = format === 'avro' ? new AvroBlockBuilder(webrequestRefinedAvroType, DEFAULT_AVRO_CONTAINER_OPTIONS.blockBytes, blockCompressor('null')) : undefined;
  for (const line of lines) {
    let result = refineLine(line, { source: 'text', geo, saltFor: (p) => salts.cachedSalt(p) });
    if (!result.ok && result.stage === 'salt') {
      await salts.saltFor(result.period);
      result = refineLine(line, { source: 'text', geo, saltFor: (p) => salts.cachedSalt(p) });
    }
    if (result.ok) {
      if (block === undefined) bytes += JSON.stringify(result.record).length;
      else {
        block.add(result.record);
        if (block.full) bytes += block.close()!.data.length;
      }
    }
  }
  if (block !== undefined) bytes += block.close()?.data.length ?? 0;
  if (bytes === 0) throw new Error('nothing refined');
  return { ms: performance.now() - started, cpuMs: cpuMsSince(cpu) };
}
