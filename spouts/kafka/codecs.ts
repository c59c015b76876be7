/**
 * Kafka's snappy, lz4 and zstd codecs for kafkajs, which decodes only gzip by itself.
 *
 * kafkajs keeps its codecs in one table per process, so registering once serves every consumer
 * and producer of the process: the spout's source and `produceLines` both call
 * {@link registerKafkaCodecs}. Each codec uses the first library of `CODEC_CANDIDATES` that loads:
 * a native add-on when its prebuilt binary is installed for this platform, otherwise a
 * pure-JavaScript library, so a missing binary costs speed, never the ability to read.
 * {@link kafkaCodecSupport} says which library each codec uses and why; the spout logs it when
 * it opens.
 *
 * @example
 * ```ts
 * registerKafkaCodecs();
 * for (const c of kafkaCodecSupport()) console.log(c.codec, c.library, c.note ?? '');
 * ```
 */
import { createRequire } from 'node:module';
import kafkajs from 'kafkajs';
import { messageOf } from '../../core/index.js';
import { CODEC_CANDIDATES, type CodecCandidate, type CodecFunctions, type KafkaCodecName } from './codec-candidates.js';

export type { KafkaCodecName } from './codec-candidates.js';

/** The codecs Squall adds to kafkajs, in Kafka's attribute order. */
export const KAFKA_CODECS: readonly KafkaCodecName[] = Object.freeze(['snappy', 'lz4', 'zstd']);

/** Which library implements a codec in this process. */
export interface KafkaCodecSupport {
  readonly codec: KafkaCodecName;
  /** The npm package used, or undefined when no candidate loaded. */
  readonly library: string | undefined;
  readonly native: boolean;
  readonly canCompress: boolean;
  /** Why a preferred library is not used (a native add-on without a binary here, say). */
  readonly note: string | undefined;
}

/** A codec ready to register: its functions (undefined when none loaded) and what it is. */
export interface SelectedCodec extends KafkaCodecSupport {
  readonly functions: CodecFunctions | undefined;
}

const { CompressionCodecs, CompressionTypes } = kafkajs;

const TYPES: Readonly<Record<KafkaCodecName, number>> = {
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
};

const requireHere = createRequire(import.meta.url);

/**
 * Loads the first candidate of each codec that loads, with `load` (a `require`; tests pass one
 * that fails for native add-ons).
 */
export function selectKafkaCodecs(load: (id: string) => unknown = requireHere, candidates: readonly CodecCandidate[] = CODEC_CANDIDATES): SelectedCodec[] {
  return KAFKA_CODECS.map((codec) => {
    const failures: string[] = [];
    for (const candidate of candidates.filter((c) => c.codec === codec)) {
      try {
        const functions = candidate.create(load);
        const note = failures.length === 0 ? undefined : `${failures.join('; ')}; using ${candidate.library}${candidate.native ? '' : ' (pure JavaScript)'} instead`;
        return { codec, library: candidate.library, native: candidate.native, canCompress: functions.compress !== undefined, note, functions };
      } catch (error) {
        failures.push(`${candidate.library}${candidate.native ? ` (native add-on; no binary loads for ${process.platform}-${process.arch}?)` : ''} could not be loaded: ${firstLine(messageOf(error))}`);
      }
    }
    return { codec, library: undefined, native: false, canCompress: false, note: failures.join('; '), functions: undefined };
  });
}

const firstLine = (text: string) => text.split('\n', 1)[0]!;

type KafkajsCodec = () => { compress(encoder: { buffer: Buffer }): Promise<Buffer>; decompress(buffer: Buffer): Promise<Buffer> };

let selected: SelectedCodec[] | undefined;
/** kafkajs's own entries (which throw "not implemented"), to put back on unregister. */
const builtIn = new Map<KafkaCodecName, KafkajsCodec>();

function adapt(codec: SelectedCodec): KafkajsCodec {
  const f = codec.functions!;
  const name = `${codec.codec} (${codec.library})`;
  const adapter = {
    async compress(encoder: { buffer: Buffer }): Promise<Buffer> {
      if (f.compress === undefined) throw new Error(`${name} only decompresses: ${codec.note ?? 'no library here compresses it'}`);
      return f.compress(encoder.buffer);
    },
    async decompress(buffer: Buffer): Promise<Buffer> {
      try {
        return await f.decompress(buffer);
      } catch (error) {
        throw new Error(`${name} could not decompress a batch of ${buffer.length} bytes: ${messageOf(error)}`, { cause: error });
      }
    },
  };
  return () => adapter;
}

/** Registers snappy, lz4 and zstd in kafkajs, once per process. Returns what was registered. */
export function registerKafkaCodecs(): readonly KafkaCodecSupport[] {
  if (selected === undefined) {
    selected = selectKafkaCodecs();
    const table = CompressionCodecs as unknown as Record<number, KafkajsCodec>;
    for (const codec of selected) {
      builtIn.set(codec.codec, table[TYPES[codec.codec]]!);
      if (codec.functions !== undefined) table[TYPES[codec.codec]] = adapt(codec);
    }
  }
  return kafkaCodecSupport();
}

/**
 * Puts back kafkajs's own entry for `codec`, which fails every batch with "not implemented":
 * for tests of what a spout does with a batch it cannot read. Later
 * {@link registerKafkaCodecs} calls leave it so.
 */
export function unregisterKafkaCodec(codec: KafkaCodecName): void {
  registerKafkaCodecs();
  (CompressionCodecs as unknown as Record<number, KafkajsCodec>)[TYPES[codec]] = builtIn.get(codec)!;
}

/** What each codec uses in this process (empty until {@link registerKafkaCodecs} ran). */
export function kafkaCodecSupport(): readonly KafkaCodecSupport[] {
  return (selected ?? []).map(({ codec, library, native, canCompress, note }) => ({ codec, library, native, canCompress, note }));
}

/** True when `codec` can be written in this process (for producers, checked before sending). */
export function canCompress(codec: KafkaCodecName): boolean {
  registerKafkaCodecs();
  return selected!.some((c) => c.codec === codec && c.canCompress);
}
