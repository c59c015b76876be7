/**
 * Squall's errors. Every error we raise is a {@link SquallError} with a stable `code`, a
 * `retriable` flag that decides whether a restart can help, and an optional `cause` chain.
 */

const kSquallError = Symbol.for('squall.error');

/** Stable error codes. Tests and users match on these, never on messages. */
export const ErrorCodes = Object.freeze({
  UNKNOWN_COMPONENT: 'SQUALL_ERR_UNKNOWN_COMPONENT',
  UNKNOWN_STREAM: 'SQUALL_ERR_UNKNOWN_STREAM',
  UNDECLARED_FIELD: 'SQUALL_ERR_UNDECLARED_FIELD',
  PARALLELISM_ABOVE_TASKS: 'SQUALL_ERR_PARALLELISM_ABOVE_TASKS',
  DUPLICATE_ID: 'SQUALL_ERR_DUPLICATE_ID',
  MISSING_IMPLEMENTATION: 'SQUALL_ERR_MISSING_IMPLEMENTATION',
  NOT_DIRECT_STREAM: 'SQUALL_ERR_NOT_DIRECT_STREAM',
  INVALID_TOPOLOGY: 'SQUALL_ERR_INVALID_TOPOLOGY',
  INVALID_CONFIG: 'SQUALL_ERR_INVALID_CONFIG',
  INVALID_EMIT: 'SQUALL_ERR_INVALID_EMIT',
  TUPLE_RELEASED: 'SQUALL_ERR_TUPLE_RELEASED',
  TUPLE_TIMEOUT: 'SQUALL_ERR_TUPLE_TIMEOUT',
  BOLT_EXECUTE: 'SQUALL_ERR_BOLT_EXECUTE',
  COMPONENT_LIFECYCLE: 'SQUALL_ERR_COMPONENT_LIFECYCLE',
  SHUTDOWN_TIMEOUT: 'SQUALL_ERR_SHUTDOWN_TIMEOUT',
  TOPOLOGY_LOAD: 'SQUALL_ERR_TOPOLOGY_LOAD',
  /** A commit under a lease that a newer owner of the source partition has fenced. Not retriable: the records are the new owner's. */
  PARTITION_FENCED: 'SQUALL_ERR_PARTITION_FENCED',
  /** Storage is full: no space left on the disk (`ENOSPC`, `EDQUOT`) or an HDFS space or name quota reached. */
  STORAGE_FULL: 'SQUALL_ERR_STORAGE_FULL',
  /** Storage refuses writes: read-only (`EROFS`) or not permitted (`EACCES`, `EPERM`, HDFS `AccessControlException`). */
  STORAGE_READ_ONLY: 'SQUALL_ERR_STORAGE_READ_ONLY',
  /** HDFS cannot take writes for now: the NameNode is in safe mode, or no DataNode can take the block. Retriable. */
  STORAGE_UNAVAILABLE: 'SQUALL_ERR_STORAGE_UNAVAILABLE',
  /** A transient I/O error (`EIO`, `EAGAIN`, `EBUSY`, too many open files). Retriable. */
  STORAGE_IO: 'SQUALL_ERR_STORAGE_IO',
} as const);

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** Options for {@link SquallError}. */
export interface SquallErrorOptions {
  /** The component the error concerns, when there is one. */
  component?: string;
  /** True when retrying or restarting may succeed. @default false */
  retriable?: boolean;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * The base of every error Squall raises. `instanceof` works across realms (worker threads,
 * bundled copies of core) because it checks a registered symbol brand, as piscina does.
 */
export class SquallError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  readonly component: string | undefined;

  constructor(code: string, message: string, options: SquallErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SquallError';
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.component = options.component;
  }

  get [kSquallError](): true {
    return true;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kSquallError] === true;
  }
}

/** True when the error, or any error in its cause chain, is retriable. */
export function isRetriable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 16; depth++) {
    if (e instanceof SquallError && e.retriable) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** The message of anything thrown, for reasons and logs. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : String(error);
}
