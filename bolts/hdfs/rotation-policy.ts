/**
 * When an open file is committed: storm-hdfs's `FileRotationPolicy`. Policies look at a file's
 * size, record count and age; {@link anyOf} combines them (the first to trigger wins).
 *
 * @example
 * ```ts
 * const rotation = anyOf(new SizeRotationPolicy(128 * 2 ** 20), new AgeRotationPolicy(10_000));
 * ```
 */
import { HdfsErrorCodes, hdfsError } from './errors.js';

/** What a policy knows of an open file. */
export interface OpenFileStats {
  /** Bytes written so far (before compression of the block being filled). */
  readonly bytes: number;
  readonly records: number;
  /** When the file got its first record, in epoch ms. */
  readonly openedAt: number;
}

/** Decides when to commit a file. */
export interface RotationPolicy {
  /** True when the file should be committed now. Checked after each record and on each timer. */
  shouldRotate(file: OpenFileStats, now: number): boolean;
  /** The longest a file may stay open, in ms, if this policy bounds it (for the rotation timer). */
  readonly maxAgeMs?: number;
}

function positive(name: string, value: number, unit: string): number {
  if (!Number.isFinite(value) || value <= 0) throw hdfsError(HdfsErrorCodes.INVALID_OPTIONS, `${name} is ${value}: use a positive number of ${unit}`);
  return value;
}

/** Rotates once a file reaches `maxBytes`. */
export class SizeRotationPolicy implements RotationPolicy {
  readonly maxBytes: number;
  constructor(maxBytes: number) {
    this.maxBytes = positive('rotation maxBytes', maxBytes, 'bytes');
  }
  shouldRotate(file: OpenFileStats): boolean {
    return file.bytes >= this.maxBytes;
  }
}

/** Rotates once a file holds `maxRecords` records. */
export class CountRotationPolicy implements RotationPolicy {
  readonly maxRecords: number;
  constructor(maxRecords: number) {
    this.maxRecords = positive('rotation maxRecords', maxRecords, 'records');
  }
  shouldRotate(file: OpenFileStats): boolean {
    return file.records >= this.maxRecords;
  }
}

/**
 * Rotates once a file has been open `maxAgeMs`. The sink checks it on a timer and on tick
 * tuples, so a quiet input still gets its files committed (and its tuples acked).
 */
export class AgeRotationPolicy implements RotationPolicy {
  readonly maxAgeMs: number;
  constructor(maxAgeMs: number) {
    this.maxAgeMs = positive('rotation maxAgeMs', maxAgeMs, 'milliseconds');
  }
  shouldRotate(file: OpenFileStats, now: number): boolean {
    return now - file.openedAt >= this.maxAgeMs;
  }
}

/** Rotates when any of `policies` says so. */
export function anyOf(...policies: RotationPolicy[]): RotationPolicy {
  if (policies.length === 0) throw hdfsError(HdfsErrorCodes.INVALID_OPTIONS, 'anyOf() needs at least one rotation policy');
  const ages = policies.map((p) => p.maxAgeMs).filter((a): a is number => a !== undefined);
  return {
    shouldRotate: (file, now) => policies.some((p) => p.shouldRotate(file, now)),
    ...(ages.length > 0 ? { maxAgeMs: Math.min(...ages) } : {}),
  };
}

/** Limits for {@link rotationPolicy}; set any combination. */
export interface RotationOptions {
  /** Commit a file once it reaches this size, in bytes. @default 134217728 (128 MiB) */
  readonly maxBytes?: number;
  /** Commit a file once it holds this many records. @default unlimited */
  readonly maxRecords?: number;
  /**
   * Commit a file once it has been open this long, in ms. Keep it well below the topology's
   * `messageTimeoutMs`: tuples are acked only when their file is committed.
   * @default half of messageTimeoutMs
   */
  readonly maxAgeMs?: number;
}

/** The policy for a set of limits: whichever is reached first. */
export function rotationPolicy(options: RotationOptions): RotationPolicy {
  const policies: RotationPolicy[] = [];
  if (options.maxBytes !== undefined) policies.push(new SizeRotationPolicy(options.maxBytes));
  if (options.maxRecords !== undefined) policies.push(new CountRotationPolicy(options.maxRecords));
  if (options.maxAgeMs !== undefined) policies.push(new AgeRotationPolicy(options.maxAgeMs));
  return anyOf(...policies);
}
