/**
 * Snappy as Kafka producers write it. The Java client wraps snappy blocks in xerial's stream
 * framing (`snappy-java`'s SnappyOutputStream); librdkafka writes one raw snappy block. A reader
 * must accept both; Squall writes the xerial framing, as the Java client does, which every
 * client reads.
 *
 * xerial framing: an 8-byte magic (`\x82SNAPPY\0`), a 4-byte version and a 4-byte
 * minimum-compatible version (both big-endian), then chunks of [4-byte big-endian length][raw
 * snappy block].
 */

/** `\x82SNAPPY\0`: the start of a xerial-framed snappy stream. */
export const XERIAL_MAGIC: Buffer = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_BYTES = 16;
/** snappy-java's default block size: each chunk holds at most this much uncompressed data. */
export const XERIAL_BLOCK_BYTES = 32 * 1024;

/** True when `data` starts with the xerial header. */
export function isXerialFramed(data: Uint8Array): boolean {
  if (data.length < XERIAL_HEADER_BYTES) return false;
  for (let i = 0; i < XERIAL_MAGIC.length; i++) if (data[i] !== XERIAL_MAGIC[i]) return false;
  return true;
}

/** Decompresses a Kafka snappy payload, framed or raw, with `uncompressBlock` for each raw block. */
export function unframeSnappy(data: Buffer, uncompressBlock: (block: Buffer) => Buffer): Buffer {
  if (!isXerialFramed(data)) return uncompressBlock(data);
  const parts: Buffer[] = [];
  let at = XERIAL_HEADER_BYTES;
  while (at < data.length) {
    if (at + 4 > data.length) throw new Error(`truncated xerial snappy frame: ${data.length - at} bytes left where a 4-byte chunk length was expected`);
    const length = data.readUInt32BE(at);
    at += 4;
    if (at + length > data.length) throw new Error(`truncated xerial snappy frame: a chunk of ${length} bytes with ${data.length - at} left`);
    parts.push(uncompressBlock(data.subarray(at, at + length)));
    at += length;
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/** Compresses `data` in xerial framing, one raw snappy block per {@link XERIAL_BLOCK_BYTES}. */
export function frameSnappy(data: Buffer, compressBlock: (block: Buffer) => Buffer): Buffer {
  const header = Buffer.alloc(XERIAL_HEADER_BYTES);
  XERIAL_MAGIC.copy(header, 0);
  header.writeUInt32BE(1, 8); // version
  header.writeUInt32BE(1, 12); // minimum compatible version
  const parts: Buffer[] = [header];
  for (let at = 0; at < data.length || at === 0; at += XERIAL_BLOCK_BYTES) {
    const block = compressBlock(data.subarray(at, at + XERIAL_BLOCK_BYTES));
    const length = Buffer.alloc(4);
    length.writeUInt32BE(block.length, 0);
    parts.push(length, block);
    if (data.length === 0) break;
  }
  return Buffer.concat(parts);
}
