/**
 * Storage faults: what the filesystems raise when the storage itself, not a record, stops a
 * write. Both filesystems (local and WebHDFS) classify their failures with
 * {@link storageFaultKind} and raise a {@link StorageFault}, whose message names the path, the
 * free space or quota when known, and what to do. Writers that meet one hold their input and
 * retry (see `StorageHold`) instead of failing records into replays: a full disk is not the
 * record's fault. Pure: no I/O here.
 */
import { type ErrorCode, ErrorCodes, SquallError } from './errors.js';

/**
 * - `no_space`: the disk is full or a quota is reached; someone must free space.
 * - `read_only`: the storage refuses writes to the path (read-only, not permitted).
 * - `unavailable`: HDFS cannot take writes for now (safe mode, no DataNode).
 * - `transient`: an I/O error that a retry may get past.
 */
export type StorageFaultKind = 'no_space' | 'read_only' | 'unavailable' | 'transient';

/** What a filesystem knows of a failure, to classify it. */
export interface StorageFailure {
  /** A Node errno code (`ENOSPC`, `EROFS`, ...). */
  readonly errno?: string | undefined;
  /** The Java exception WebHDFS reported (`DSQuotaExceededException`, ...). */
  readonly exception?: string | undefined;
  /** The exception's message. */
  readonly message?: string | undefined;
}

const ERRNO_KINDS: Readonly<Record<string, StorageFaultKind>> = Object.freeze({
  ENOSPC: 'no_space',
  EDQUOT: 'no_space',
  EROFS: 'read_only',
  EACCES: 'read_only',
  EPERM: 'read_only',
  EIO: 'transient',
  EAGAIN: 'transient',
  EBUSY: 'transient',
  EMFILE: 'transient',
  ENFILE: 'transient',
});

const EXCEPTION_KINDS: Readonly<Record<string, StorageFaultKind>> = Object.freeze({
  DSQuotaExceededException: 'no_space',
  NSQuotaExceededException: 'no_space',
  QuotaExceededException: 'no_space',
  AccessControlException: 'read_only',
  SafeModeException: 'unavailable',
});

/** HDFS says these in an `IOException` or a `RetriableException`, without a class of their own. */
const UNAVAILABLE_MESSAGES = /safe mode|could only be (?:written|replicated) to 0 of|there are 0 datanode|no datanode|0 datanode\(s\) running/i;

/** The kind of storage fault a failure is, or undefined when it is none (a missing path, say). */
export function storageFaultKind(failure: StorageFailure): StorageFaultKind | undefined {
  if (failure.errno !== undefined && ERRNO_KINDS[failure.errno] !== undefined) return ERRNO_KINDS[failure.errno];
  if (failure.exception !== undefined && EXCEPTION_KINDS[failure.exception] !== undefined) return EXCEPTION_KINDS[failure.exception];
  if (failure.message !== undefined && UNAVAILABLE_MESSAGES.test(failure.message)) return 'unavailable';
  return undefined;
}

/** The stable code of each kind. */
export const STORAGE_FAULT_CODES: Readonly<Record<StorageFaultKind, ErrorCode>> = Object.freeze({
  no_space: ErrorCodes.STORAGE_FULL,
  read_only: ErrorCodes.STORAGE_READ_ONLY,
  unavailable: ErrorCodes.STORAGE_UNAVAILABLE,
  transient: ErrorCodes.STORAGE_IO,
});

const KIND_OF_CODE = new Map<string, StorageFaultKind>(Object.entries(STORAGE_FAULT_CODES).map(([kind, code]) => [code, kind as StorageFaultKind]));

/** True for the code of a storage fault: a failure that is the storage's, never the record's. */
export function isStorageFaultCode(code: string | undefined): boolean {
  return code !== undefined && KIND_OF_CODE.has(code);
}

/** Space on the storage, in bytes, when the filesystem could tell. */
export interface StorageSpace {
  /** Bytes free (local) or left under the quota (HDFS). */
  readonly free?: number;
  /** The disk's size (local) or the quota (HDFS). */
  readonly total?: number;
  /** `disk` (a local filesystem) or `quota` (an HDFS space quota). */
  readonly of: 'disk' | 'quota';
}

/** What {@link storageFault} needs to say what happened. */
export interface StorageFaultOptions {
  readonly kind: StorageFaultKind;
  /** The operation, e.g. `write` or `CREATE`. */
  readonly op: string;
  /** The path the operation was on. */
  readonly path: string;
  /** The filesystem's description, e.g. `file://` or `webhdfs://127.0.0.1:9870`, when known. */
  readonly fs?: string | undefined;
  /** What the filesystem said: `ENOSPC: no space left on device`, a Java exception and its message. */
  readonly detail: string;
  readonly space?: StorageSpace | undefined;
  readonly cause?: unknown;
}

const ADVICE: Readonly<Record<StorageFaultKind, string>> = Object.freeze({
  no_space:
    'Free space or grow the disk (on HDFS: raise the quota with hdfs dfsadmin -setSpaceQuota, or delete under it). ' +
    'Writers wait for room up to storageDeadlineMs; after a stop, re-run the same command: committed output is kept and nothing is duplicated',
  read_only: 'Make the path writable for the user Squall runs as, or write the output somewhere else',
  unavailable: 'Wait for HDFS to leave safe mode (hdfs dfsadmin -safemode get) and check that DataNodes are up (hdfs dfsadmin -report); writers retry up to storageDeadlineMs',
  transient: 'Check the disk and the filesystem; writers retry up to storageDeadlineMs',
});

const SUMMARY: Readonly<Record<StorageFaultKind, string>> = Object.freeze({
  no_space: 'the storage is full',
  read_only: 'the path is read-only or not permitted',
  unavailable: 'HDFS cannot take writes',
  transient: 'an I/O error',
});

/** `1.5 MiB`: sizes for people. */
export function bytesText(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

function spaceText(space: StorageSpace | undefined): string {
  if (space === undefined || (space.free === undefined && space.total === undefined)) return '';
  const free = space.free === undefined ? '' : `${bytesText(space.free)} ${space.of === 'quota' ? 'left under the quota' : 'free'}`;
  const total = space.total === undefined ? '' : `${space.of === 'quota' ? 'a quota' : 'a disk'} of ${bytesText(space.total)}`;
  return `; ${[free, total].filter((s) => s !== '').join(' of ')}`;
}

/**
 * A failure of the storage, not of the data: a {@link SquallError} with the kind's code
 * (`SQUALL_ERR_STORAGE_*`), the path, and the space when known.
 */
export class StorageFault extends SquallError {
  readonly kind: StorageFaultKind;
  readonly path: string;
  readonly space: StorageSpace | undefined;
  /** What the filesystem said. */
  readonly detail: string;

  constructor(options: StorageFaultOptions) {
    const { kind, op, path, fs, detail } = options;
    super(STORAGE_FAULT_CODES[kind], `${SUMMARY[kind]}: ${op} ${path}${fs === undefined ? '' : ` on ${fs}`} failed (${detail}${spaceText(options.space)}). ${ADVICE[kind]}`, {
      retriable: kind === 'unavailable' || kind === 'transient',
      cause: options.cause,
    });
    this.name = 'StorageFault';
    this.kind = kind;
    this.path = path;
    this.space = options.space;
    this.detail = detail;
  }
}

/** The storage fault `error` is or wraps, if any. */
export function storageFaultOf(error: unknown): SquallError | undefined {
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 16; depth++) {
    if (e instanceof SquallError && isStorageFaultCode(e.code)) return e;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
