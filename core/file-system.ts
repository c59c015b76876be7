/**
 * The filesystem contract that sinks and stateful bolts write through: types and pure path
 * helpers only, no I/O. Two backends implement it, in bolts/hdfs: `WebHdfsFileSystem` (HDFS over
 * its REST API) and `LocalFileSystem` (node:fs, for local mode and unit tests). Paths are
 * absolute and use `/`.
 *
 * Errors are `SquallError`s with an `HdfsErrorCodes` code: `NOT_FOUND`, `ALREADY_EXISTS`,
 * `UNAVAILABLE` (retriable: the backend gave up after its retries), `REJECTED`, `CLOSED`; or,
 * when the storage itself fails (full, read-only, safe mode, an I/O error), a `StorageFault`
 * with a `SQUALL_ERR_STORAGE_*` code (core/storage-fault.ts).
 */

/** One entry of a directory listing. */
export interface FileStatus {
  /** The last component of the path. */
  readonly name: string;
  /** The full path. */
  readonly path: string;
  readonly type: 'file' | 'directory';
  /** Length in bytes (0 for a directory). */
  readonly length: number;
  /** Last modification, in epoch milliseconds. */
  readonly modificationTime: number;
}

export interface CreateOptions {
  /** Replace an existing file instead of failing with `ALREADY_EXISTS`. @default false */
  readonly overwrite?: boolean;
  /**
   * Make missing parent directories. With false, a missing parent fails the create with
   * `NOT_FOUND`: a leased file cannot be written once its lease directory is fenced.
   * @default true
   */
  readonly createParent?: boolean;
}

export interface DeleteOptions {
  /** Delete a directory and everything under it. @default false */
  readonly recursive?: boolean;
}

/**
 * A file being written as a stream: one open connection (WebHDFS) or descriptor (local) for the
 * whole file, instead of a create and an append per chunk.
 */
export interface FileStream {
  /** Sends bytes. Resolves once they are accepted; rejects once the stream has failed. */
  write(data: Uint8Array): Promise<void>;
  /** Ends the file and makes it durable. Resolves once the filesystem confirmed. */
  close(): Promise<void>;
  /** Gives up on the file and releases the connection; what was written may stay under its name. */
  abort(): void;
}

/** A filesystem with atomic rename, which is all an exactly-once file sink needs. */
export interface FileSystem {
  /** A short label for logs: `webhdfs://127.0.0.1:9870` or `file://`. */
  readonly description: string;
  /** Creates a file holding `data`, making missing parent directories. */
  create(path: string, data: Uint8Array, options?: CreateOptions): Promise<void>;
  /**
   * Creates a file to be written as a stream, making missing parent directories. Optional: the
   * sink falls back to `create` then `append` per chunk.
   */
  createStream?(path: string, options?: CreateOptions): Promise<FileStream>;
  /** Appends `data` to an existing file. */
  append(path: string, data: Uint8Array): Promise<void>;
  /** Makes a file's content durable (fsync locally; HDFS closes each write durably). */
  sync(path: string): Promise<void>;
  /**
   * Renames a file or a directory atomically. Never replaces: fails with `ALREADY_EXISTS` when
   * `to` exists and with `NOT_FOUND` when `from` does not. The parent of `to` must exist.
   */
  rename(from: string, to: string): Promise<void>;
  /** The entries of a directory, sorted by name. Fails with `NOT_FOUND` for a missing one. */
  list(dir: string): Promise<FileStatus[]>;
  /** A whole file's content. */
  read(path: string): Promise<Buffer>;
  /** Deletes a file or directory. Resolves false when there was nothing to delete. */
  delete(path: string, options?: DeleteOptions): Promise<boolean>;
  /** Makes a directory and its missing parents. */
  mkdirs(path: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  /** Releases connections. Safe to call twice; later calls fail with `CLOSED`. */
  close(): Promise<void>;
}

/** Joins path segments with `/`, collapsing duplicate slashes. */
export function joinPath(...segments: string[]): string {
  return segments.join('/').replace(/\/{2,}/g, '/');
}

/** The directory part of a path (`/a/b/c` → `/a/b`). */
export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** The last component of a path. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
