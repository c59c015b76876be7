/**
 * The libraries that can compress and decompress Kafka's snappy, lz4 and zstd batches, in the
 * order Squall prefers them, with the adapters that fit each to one shape. The first candidate of
 * a codec that loads is used (`codecs.ts`): a native add-on where its prebuilt binary is there
 * for this platform, else a pure-JavaScript library. bench/kafka-codecs.ts measures them on
 * real batches (bench/RESULTS.md).
 */
import { frameSnappy, unframeSnappy } from './snappy-framing.js';

/** The codecs kafkajs does not have built in. */
export type KafkaCodecName = 'snappy' | 'lz4' | 'zstd';

/** One library's compress and decompress for one codec, in Kafka's framing. */
export interface CodecFunctions {
  /** Absent when the library only decompresses. */
  readonly compress?: (data: Buffer) => Promise<Buffer>;
  readonly decompress: (data: Buffer) => Promise<Buffer>;
}

/** A library that may implement a codec, and how to load it. */
export interface CodecCandidate {
  readonly codec: KafkaCodecName;
  /** The npm package. */
  readonly library: string;
  /** True for a native add-on (a prebuilt binary per platform). */
  readonly native: boolean;
  /** Loads the package with `load` (a `require`) and adapts it; throws when it cannot be loaded. */
  readonly create: (load: (id: string) => unknown) => CodecFunctions;
}

const asBuffer = (data: Uint8Array): Buffer => (Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));

interface SnappyNative {
  compressSync(data: Buffer): Buffer;
  uncompressSync(data: Buffer, options: { asBuffer: true }): Buffer;
}
interface SnappyJs {
  compress(data: Buffer): Buffer;
  uncompress(data: Buffer): Buffer;
}
interface Lz4Napi {
  compressFrame(data: Buffer): Promise<Buffer>;
  decompressFrame(data: Buffer): Promise<Buffer>;
}
interface Lz4Js {
  compress(data: Uint8Array): Uint8Array;
  decompress(data: Uint8Array): Uint8Array;
}
interface ZstdNative {
  compress(data: Buffer, level?: number): Promise<Buffer>;
  decompress(data: Buffer): Promise<Buffer>;
}
interface Fzstd {
  decompress(data: Uint8Array): Uint8Array;
}

/** zstd's default level, as the Java client and librdkafka use. */
const ZSTD_LEVEL = 3;

/** Every candidate, preferred first within each codec. */
export const CODEC_CANDIDATES: readonly CodecCandidate[] = Object.freeze([
  {
    codec: 'snappy',
    library: 'snappyjs',
    native: false,
    create: (load) => {
      const s = load('snappyjs') as SnappyJs;
      return {
        compress: async (data) => frameSnappy(data, (block) => s.compress(block)),
        decompress: async (data) => unframeSnappy(data, (block) => s.uncompress(block)),
      };
    },
  },
  {
    codec: 'snappy',
    library: 'snappy',
    native: true,
    create: (load) => {
      const s = load('snappy') as SnappyNative;
      return {
        compress: async (data) => frameSnappy(data, (block) => s.compressSync(block)),
        decompress: async (data) => unframeSnappy(data, (block) => s.uncompressSync(block, { asBuffer: true })),
      };
    },
  },
  {
    codec: 'lz4',
    library: 'lz4-napi',
    native: true,
    create: (load) => {
      const l = load('lz4-napi') as Lz4Napi;
      return { compress: (data) => l.compressFrame(data), decompress: (data) => l.decompressFrame(data) };
    },
  },
  {
    codec: 'lz4',
    library: 'lz4js',
    native: false,
    create: (load) => {
      const l = load('lz4js') as Lz4Js;
      return { compress: async (data) => asBuffer(l.compress(data)), decompress: async (data) => asBuffer(l.decompress(data)) };
    },
  },
  {
    codec: 'zstd',
    library: '@mongodb-js/zstd',
    native: true,
    create: (load) => {
      const z = load('@mongodb-js/zstd') as ZstdNative;
      return { compress: (data) => z.compress(data, ZSTD_LEVEL), decompress: (data) => z.decompress(data) };
    },
  },
  {
    codec: 'zstd',
    library: 'fzstd',
    native: false,
    create: (load) => {
      const z = load('fzstd') as Fzstd;
      return { decompress: async (data) => asBuffer(z.decompress(data)) };
    },
  },
]);
