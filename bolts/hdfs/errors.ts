/**
 * The error codes of the HDFS sink and its filesystems. Every error they raise is a core
 * `SquallError` carrying one of these codes and a `retriable` flag.
 */
import { SquallError } from '../../core/index.js';

/** Stable codes: tests and users match on these, never on messages. */
export const HdfsErrorCodes = Object.freeze({
  /** The filesystem could not be reached, or kept failing, after every retry. Retriable. */
  UNAVAILABLE: 'SQUALL_ERR_HDFS_UNAVAILABLE',
  /** The path does not exist. */
  NOT_FOUND: 'SQUALL_ERR_HDFS_NOT_FOUND',
  /** The target of a create (without overwrite) or a rename already exists. */
  ALREADY_EXISTS: 'SQUALL_ERR_HDFS_ALREADY_EXISTS',
  /** The filesystem refused the operation for good (permissions, a bad path, ...). */
  REJECTED: 'SQUALL_ERR_HDFS_REJECTED',
  /** An append left the file at a length the client did not expect. */
  CORRUPT_WRITE: 'SQUALL_ERR_HDFS_CORRUPT_WRITE',
  /** The filesystem was closed. */
  CLOSED: 'SQUALL_ERR_HDFS_CLOSED',
  /** A file could not be committed; its tuples were failed and will be replayed. */
  COMMIT_FAILED: 'SQUALL_ERR_HDFS_COMMIT_FAILED',
  /** A batch of encoded input could not be encoded at all (its thread died); its tuples are replayed. */
  ENCODE_FAILED: 'SQUALL_ERR_HDFS_ENCODE_FAILED',
  /** The committed output could not be read back on `prepare`. */
  RECOVERY_FAILED: 'SQUALL_ERR_HDFS_RECOVERY_FAILED',
  /** A record's event time could not be read (sent to the `errors` stream). */
  BAD_EVENT_TIME: 'SQUALL_ERR_HDFS_BAD_EVENT_TIME',
  /** A record does not fit the output format, e.g. the Avro schema (sent to the `errors` stream). */
  BAD_RECORD: 'SQUALL_ERR_HDFS_BAD_RECORD',
  /** A tuple lacks usable source coordinates (topic, partition, offset) (sent to `errors`). */
  BAD_COORDINATES: 'SQUALL_ERR_HDFS_BAD_COORDINATES',
  /** The sink's options are invalid. */
  INVALID_OPTIONS: 'SQUALL_ERR_HDFS_INVALID_OPTIONS',
} as const);

export type HdfsErrorCode = (typeof HdfsErrorCodes)[keyof typeof HdfsErrorCodes];

/** A `SquallError` with an HDFS code. */
export function hdfsError(code: HdfsErrorCode, message: string, options: { retriable?: boolean; cause?: unknown; component?: string } = {}): SquallError {
  return new SquallError(code, message, options);
}

/** True when `error` is a `SquallError` with this code. */
export function hasCode(error: unknown, code: HdfsErrorCode): boolean {
  return error instanceof SquallError && error.code === code;
}
