/**
 * Frames between worker processes: a 4-byte big-endian length, a 1-byte type, then the body.
 *
 * | type | body |
 * |---|---|
 * | `hello` | the sending worker's id, UTF-8 |
 * | `tuples` | a tuple batch (core's `encodeTupleBatch`) |
 * | `acks` | an ack batch (core's `encodeAckBatch`) |
 * | `credit` | 4 bytes: how many more tuples the receiver takes |
 */

export type FrameType = 'hello' | 'tuples' | 'acks' | 'credit';

const CODES: Record<FrameType, number> = { hello: 1, tuples: 2, acks: 3, credit: 4 };
const TYPES = new Map(Object.entries(CODES).map(([type, code]) => [code, type as FrameType]));

/** Frames longer than this are refused: a corrupt length, not a batch. */
export const MAX_FRAME_BYTES = 64 * 2 ** 20;

export interface Frame {
  readonly type: FrameType;
  readonly body: Buffer;
}

/** One frame's bytes. */
export function frame(type: FrameType, body: Uint8Array): Buffer {
  const head = Buffer.allocUnsafe(5);
  head.writeUInt32BE(body.byteLength + 1, 0);
  head.writeUInt8(CODES[type], 4);
  return Buffer.concat([head, body]);
}

/** A credit frame granting `count` tuples. */
export function creditFrame(count: number): Buffer {
  const body = Buffer.allocUnsafe(4);
  body.writeUInt32BE(count, 0);
  return frame('credit', body);
}

/** Reads frames out of a byte stream however it is cut into chunks. */
export class FrameReader {
  #pending: Buffer = Buffer.alloc(0);

  /** The whole frames `chunk` completes. Throws on a frame that cannot be one. */
  push(chunk: Buffer): Frame[] {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const frames: Frame[] = [];
    let at = 0;
    while (this.#pending.length - at >= 4) {
      const length = this.#pending.readUInt32BE(at);
      if (length < 1 || length > MAX_FRAME_BYTES) throw new Error(`a frame of ${length} bytes: not a Squall worker connection, or a corrupt stream`);
      if (this.#pending.length - at - 4 < length) break;
      const type = TYPES.get(this.#pending.readUInt8(at + 4));
      if (type === undefined) throw new Error(`a frame of unknown type ${this.#pending.readUInt8(at + 4)}`);
      frames.push({ type, body: this.#pending.subarray(at + 5, at + 4 + length) });
      at += 4 + length;
    }
    this.#pending = at === this.#pending.length ? Buffer.alloc(0) : this.#pending.subarray(at);
    return frames;
  }
}
