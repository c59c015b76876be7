/**
 * {@link FileSystem} over node:fs: what local mode and the unit tests write to. Renames never
 * replace (link, then unlink: both atomic), `sync` fsyncs the file and a rename fsyncs its
 * directory, so a committed file survives a machine crash.
 */
import { constants as fsConstants } from 'node:fs';
import { access, appendFile, link, open, readFile, readdir, rename as fsRename, rm, stat, statfs, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageFault, type StorageSpace, storageFaultKind } from '../../core/index.js';
import { HdfsErrorCodes, hdfsError } from './errors.js';
import { makeDirectories } from './make-directories.js';
import type { FileHandle } from 'node:fs/promises';
import { type CreateOptions, type DeleteOptions, type FileStatus, type FileStream, type FileSystem, parentOf } from './file-system.js';

/** The nearest existing directory at or above `path`, for the space of its filesystem. */
async function spaceAt(path: string): Promise<StorageSpace | undefined> {
  for (let p = path; ; p = parentOf(p)) {
    try {
      const s = await statfs(p);
      return { free: s.bavail * s.bsize, total: s.blocks * s.bsize, of: 'disk' };
    } catch {
      if (p === '/' || p === '.' || p === '') return undefined;
    }
  }
}

/**
 * `mkdir -p`. A recursive mkdir on a read-only filesystem fails with ENOENT (for the level it
 * could not make), which would read as a missing path: the nearest existing directory then says
 * why it cannot be written (EROFS, EACCES).
 */
async function makeDirs(path: string): Promise<void> {
  try {
    await makeDirectories(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    let existing = parentOf(path);
    while (existing !== '/' && !(await stat(existing).then(() => true, () => false))) existing = parentOf(existing);
    await access(existing, fsConstants.W_OK);
    throw error;
  }
}

/** `ENOSPC: no space left on device, write`: node's message, which mostly starts with the code already. */
function errnoDetail(code: string, error: unknown): string {
  const message = (error as Error).message;
  return message.startsWith(code) ? message : `${code}: ${message}`;
}

/** A node:fs error as the filesystem contract's: a storage fault (with the disk's space when it is full), or an HDFS code. */
async function translate(error: unknown, op: string, path: string, at: string = path): Promise<Error> {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = `${op} ${path}: ${(error as Error)?.message ?? String(error)}`;
  if (code === 'ENOENT') return hdfsError(HdfsErrorCodes.NOT_FOUND, message, { cause: error });
  if (code === 'EEXIST') return hdfsError(HdfsErrorCodes.ALREADY_EXISTS, message, { cause: error });
  const kind = storageFaultKind({ errno: code });
  if (kind !== undefined) {
    const space = kind === 'no_space' ? await spaceAt(at) : undefined;
    return new StorageFault({ kind, op, path, fs: 'file://', detail: errnoDetail(code!, error), space, cause: error });
  }
  return hdfsError(HdfsErrorCodes.REJECTED, message, { cause: error });
}

async function fsyncPath(path: string, directory: boolean): Promise<void> {
  const handle = await open(path, directory ? fsConstants.O_RDONLY : fsConstants.O_RDWR);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** One open descriptor per file; `close` fsyncs before it closes. */
/** A file being written through one handle (exported for its test). */
export class LocalFileStream implements FileStream {
  #closed = false;
  constructor(
    readonly handle: FileHandle,
    readonly path: string,
  ) {}

  async write(data: Uint8Array): Promise<void> {
    try {
      // One write(2) may take fewer bytes than it is given (a disk about to fill takes what fits):
      // write the rest until all is taken, or until a write fails (ENOSPC) and says why.
      for (let offset = 0; offset < data.length; ) {
        const { bytesWritten } = await this.handle.write(data, offset, data.length - offset);
        offset += bytesWritten;
      }
    } catch (error) {
      throw await translate(error, 'write', this.path);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    try {
      await this.handle.sync();
      await this.handle.close();
    } catch (error) {
      throw await translate(error, 'close', this.path);
    }
  }

  abort(): void {
    if (this.#closed) return;
    this.#closed = true;
    void this.handle.close().catch(() => {});
  }
}

/** The local disk as a {@link FileSystem}. Paths are absolute local paths. */
export class LocalFileSystem implements FileSystem {
  readonly description = 'file://';
  #closed = false;

  async create(path: string, data: Uint8Array, options: CreateOptions = {}): Promise<void> {
    this.#check();
    try {
      if (options.createParent !== false) await makeDirs(parentOf(path));
      await writeFile(path, data, { flag: options.overwrite ? 'w' : 'wx' });
    } catch (error) {
      throw await translate(error, 'create', path);
    }
  }

  async createStream(path: string, options: CreateOptions = {}): Promise<FileStream> {
    this.#check();
    try {
      if (options.createParent !== false) await makeDirs(parentOf(path));
      return new LocalFileStream(await open(path, options.overwrite ? 'w' : 'wx'), path);
    } catch (error) {
      throw await translate(error, 'create', path);
    }
  }

  async append(path: string, data: Uint8Array): Promise<void> {
    this.#check();
    try {
      await stat(path);
      await appendFile(path, data);
    } catch (error) {
      throw await translate(error, 'append', path);
    }
  }

  async sync(path: string): Promise<void> {
    this.#check();
    try {
      await fsyncPath(path, false);
    } catch (error) {
      throw await translate(error, 'sync', path);
    }
  }

  async rename(from: string, to: string): Promise<void> {
    this.#check();
    try {
      if ((await stat(from)).isDirectory()) {
        // fs.rename would replace an empty directory at `to`; refuse as for files.
        if (await stat(to).then(() => true, () => false)) throw Object.assign(new Error('the target exists'), { code: 'EEXIST' });
        await fsRename(from, to);
      } else {
        // link fails with EEXIST instead of replacing, which fs.rename would do silently.
        await link(from, to);
        await unlink(from);
      }
      await fsyncPath(parentOf(to), true);
    } catch (error) {
      throw await translate(error, 'rename', `${from} to ${to}`, to);
    }
  }

  async list(dir: string): Promise<FileStatus[]> {
    this.#check();
    try {
      const entries = await readdir(dir, { withFileTypes: true });
      const out: FileStatus[] = [];
      for (const e of entries) {
        const path = join(dir, e.name);
        const s = await stat(path).catch(() => undefined);
        if (s === undefined) continue; // removed while listing
        out.push({ name: e.name, path, type: s.isDirectory() ? 'directory' : 'file', length: s.isDirectory() ? 0 : s.size, modificationTime: s.mtimeMs });
      }
      return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (error) {
      throw await translate(error, 'list', dir);
    }
  }

  async read(path: string): Promise<Buffer> {
    this.#check();
    try {
      return await readFile(path);
    } catch (error) {
      throw await translate(error, 'read', path);
    }
  }

  async delete(path: string, options: DeleteOptions = {}): Promise<boolean> {
    this.#check();
    try {
      await stat(path);
    } catch {
      return false;
    }
    try {
      await rm(path, { recursive: options.recursive ?? false });
      return true;
    } catch (error) {
      // Another process removed it between the two calls: nothing to delete, as for HDFS.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw await translate(error, 'delete', path);
    }
  }

  async mkdirs(path: string): Promise<void> {
    this.#check();
    try {
      await makeDirs(path);
    } catch (error) {
      throw await translate(error, 'mkdirs', path);
    }
  }

  async exists(path: string): Promise<boolean> {
    this.#check();
    try {
      await stat(path);
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #check(): void {
    if (this.#closed) throw hdfsError(HdfsErrorCodes.CLOSED, 'the local filesystem was closed');
  }
}
