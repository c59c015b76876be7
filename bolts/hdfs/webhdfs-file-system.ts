/**
 * {@link FileSystem} over WebHDFS, HDFS's REST API, with Node's `http` module and keep-alive
 * connections. CREATE, APPEND and OPEN follow the NameNode's 307 redirect to a DataNode.
 * Retriable failures (a refused or reset connection, a 5xx, safe mode, a DataNode restarting)
 * are retried with exponential backoff; when the attempts run out the call fails with
 * `SQUALL_ERR_HDFS_UNAVAILABLE` and `retriable: true`.
 *
 * Retries never duplicate data: an APPEND is retried only after the file's length shows the
 * earlier attempt did not land, and a retried RENAME or CREATE that finds its own earlier
 * success counts as done.
 *
 * @example
 * ```ts
 * const fs = new WebHdfsFileSystem({ url: 'http://127.0.0.1:9870', user: 'squall' });
 * await fs.create('/data/a.txt', Buffer.from('hello'));
 * await fs.rename('/data/a.txt', '/data/b.txt');
 * await fs.close();
 * ```
 */
import { compileRetryPolicy, isRetriable, type Logger, nullLogger, type RetryOptions, type RetryPolicy, SquallError, StorageFault, storageFaultOf, withRetries } from '../../core/index.js';
import { HdfsErrorCodes, hasCode, hdfsError } from './errors.js';
import { Agent } from 'node:http';
import { type CreateOptions, type DeleteOptions, type FileStatus, type FileStream, type FileSystem, parentOf } from './file-system.js';
import { type HttpResult, responseError, WebHdfsTransport } from './webhdfs-transport.js';
import { WebHdfsUpload } from './webhdfs-upload.js';

/** Where and how to reach WebHDFS. */
export interface WebHdfsOptions {
  /** The NameNode's HTTP address. @default 'http://127.0.0.1:9870' */
  readonly url?: string;
  /** Sent as `user.name` (simple authentication). @default 'squall' */
  readonly user?: string;
  readonly retry?: RetryOptions;
  /** Per-request timeout, in ms. @default 30000 */
  readonly requestTimeoutMs?: number;
  /** Concurrent connections per host. @default 16 */
  readonly maxSockets?: number;
  /**
   * The HDFS block size of files this client creates, in bytes (at least the NameNode's
   * `dfs.namenode.fs-limits.min-block-size`, 1 MiB by default). @default the cluster's (128 MiB)
   */
  readonly blockSize?: number;
  readonly logger?: Logger;
}

/** The defaults, documented on {@link WebHdfsOptions}. */
export const DEFAULT_WEBHDFS_OPTIONS = Object.freeze({ url: 'http://127.0.0.1:9870', user: 'squall', requestTimeoutMs: 30_000, maxSockets: 16 });

interface RawStatus {
  pathSuffix: string;
  type: 'FILE' | 'DIRECTORY' | 'SYMLINK';
  length: number;
  modificationTime: number;
}

/** The parameters of a CREATE. */
function createParams(options: CreateOptions, blockSize: number | undefined): Record<string, string> {
  const params: Record<string, string> = { overwrite: String(options.overwrite ?? false), createparent: String(options.createParent ?? true) };
  if (blockSize !== undefined) params.blocksize = String(blockSize);
  return params;
}

/** HDFS through WebHDFS. */
export class WebHdfsFileSystem implements FileSystem {
  readonly description: string;
  readonly #base: URL;
  readonly #user: string;
  readonly #retry: RetryPolicy;
  readonly #transport: WebHdfsTransport;
  /** Streamed uploads hold a connection for a whole file, so they get their own. */
  readonly #uploads = new Agent({ keepAlive: false });
  readonly #timeoutMs: number;
  readonly #blockSize: number | undefined;
  readonly #logger: Logger;
  readonly #closing = new AbortController();
  /** Lengths of files this client wrote, so a retried APPEND can tell whether it landed. */
  readonly #lengths = new Map<string, number>();

  constructor(options: WebHdfsOptions = {}) {
    const url = options.url ?? DEFAULT_WEBHDFS_OPTIONS.url;
    try {
      this.#base = new URL(url);
    } catch (error) {
      throw hdfsError(HdfsErrorCodes.INVALID_OPTIONS, `WebHDFS url ${JSON.stringify(url)} is not a URL: use e.g. http://127.0.0.1:9870`, { cause: error });
    }
    if (this.#base.protocol !== 'http:') {
      throw hdfsError(HdfsErrorCodes.INVALID_OPTIONS, `WebHDFS url ${url} must use http: (https is not supported)`);
    }
    this.#user = options.user ?? DEFAULT_WEBHDFS_OPTIONS.user;
    this.#retry = compileRetryPolicy(options.retry);
    this.#timeoutMs = options.requestTimeoutMs ?? DEFAULT_WEBHDFS_OPTIONS.requestTimeoutMs;
    if (options.blockSize !== undefined && !(Number.isInteger(options.blockSize) && options.blockSize > 0)) {
      throw hdfsError(HdfsErrorCodes.INVALID_OPTIONS, `WebHDFS blockSize ${options.blockSize}: use a whole number of bytes, such as 1048576`);
    }
    this.#blockSize = options.blockSize;
    this.#transport = new WebHdfsTransport({
      timeoutMs: this.#timeoutMs,
      maxSockets: options.maxSockets ?? DEFAULT_WEBHDFS_OPTIONS.maxSockets,
    });
    this.#logger = (options.logger ?? nullLogger).child('webhdfs');
    this.description = `webhdfs://${this.#base.host}`;
  }

  async create(path: string, data: Uint8Array, options: CreateOptions = {}): Promise<void> {
    await this.#retrying('CREATE', path, async (attempt) => {
      try {
        await this.#twoStep('PUT', path, 'CREATE', createParams(options, this.#blockSize), data, 201);
      } catch (error) {
        // Our earlier attempt may have created the file before its response was lost.
        if (attempt > 1 && hasCode(error, HdfsErrorCodes.ALREADY_EXISTS) && (await this.#lengthOf(path)) === data.byteLength) return;
        throw error;
      }
    });
    this.#lengths.set(path, data.byteLength);
  }

  /**
   * Streams a new file to its DataNode in one chunked PUT (the NameNode's redirect is retried;
   * the upload itself is not). The file is durable once `close()` resolves.
   */
  async createStream(path: string, options: CreateOptions = {}): Promise<FileStream> {
    const location = await this.#retrying('CREATE', path, async () => {
      const first = await this.#call('PUT', path, 'CREATE', createParams(options, this.#blockSize));
      if (first.status !== 307 || first.headers.location === undefined) throw responseError(`CREATE ${path} (NameNode)`, first);
      return new URL(first.headers.location);
    });
    this.#lengths.delete(path);
    const upload = new WebHdfsUpload(location, this.#uploads, `CREATE ${path} (DataNode ${location.host}, streamed)`, this.#timeoutMs);
    // A stream the DataNode broke off may have met a quota: say so when the NameNode shows one short.
    const explain = async (error: unknown): Promise<never> => {
      const fault = storageFaultOf(error);
      const quota = fault instanceof StorageFault && fault.kind === 'transient' ? await this.#exhaustedQuota(path).catch(() => undefined) : undefined;
      throw quota === undefined ? error : new StorageFault({ kind: 'no_space', op: 'CREATE', path, fs: this.description, detail: quota, cause: error });
    };
    return { write: (data) => upload.write(data).catch(explain), close: () => upload.close().catch(explain), abort: () => upload.abort() };
  }

  async append(path: string, data: Uint8Array): Promise<void> {
    const before = this.#lengths.get(path) ?? (await this.#retrying('GETFILESTATUS', path, () => this.#lengthOf(path)));
    if (before === undefined) throw hdfsError(HdfsErrorCodes.NOT_FOUND, `APPEND ${path}: the file does not exist`);
    await this.#retrying('APPEND', path, async (attempt) => {
      if (attempt > 1) {
        const now = await this.#lengthOf(path);
        if (now === before + data.byteLength) return;
        if (now !== before) {
          throw hdfsError(HdfsErrorCodes.CORRUPT_WRITE, `APPEND ${path}: the file is ${now} bytes after a failed append; expected ${before} or ${before + data.byteLength}`);
        }
      }
      await this.#twoStep('POST', path, 'APPEND', {}, data, 200);
    });
    this.#lengths.set(path, before + data.byteLength);
  }

  async sync(_path: string): Promise<void> {
    this.#check();
    // Each CREATE and APPEND closes the file on the DataNode pipeline, which makes it durable.
  }

  async rename(from: string, to: string): Promise<void> {
    await this.#retrying('RENAME', from, async (attempt) => {
      const result = await this.#call('PUT', from, 'RENAME', { destination: to });
      if (result.status !== 200) throw responseError(`RENAME ${from} to ${to}`, result);
      if ((JSON.parse(result.body.toString('utf8')) as { boolean: boolean }).boolean) return;
      const [fromExists, toExists] = [await this.#exists(from), await this.#exists(to)];
      if (!fromExists && toExists && attempt > 1) return; // an earlier attempt landed
      if (!fromExists) throw hdfsError(HdfsErrorCodes.NOT_FOUND, `RENAME ${from} to ${to}: the source does not exist`);
      if (toExists) throw hdfsError(HdfsErrorCodes.ALREADY_EXISTS, `RENAME ${from} to ${to}: the target exists`);
      throw hdfsError(HdfsErrorCodes.NOT_FOUND, `RENAME ${from} to ${to}: the target's directory ${parentOf(to)} does not exist`);
    });
    this.#lengths.delete(from);
  }

  async list(dir: string): Promise<FileStatus[]> {
    const statuses = await this.#retrying('LISTSTATUS', dir, async () => {
      const result = await this.#call('GET', dir, 'LISTSTATUS');
      if (result.status !== 200) throw responseError(`LISTSTATUS ${dir}`, result);
      return (JSON.parse(result.body.toString('utf8')) as { FileStatuses: { FileStatus: RawStatus[] } }).FileStatuses.FileStatus;
    });
    const prefix = dir.endsWith('/') ? dir : `${dir}/`;
    return statuses
      .map((s) => ({
        name: s.pathSuffix,
        path: prefix + s.pathSuffix,
        type: s.type === 'DIRECTORY' ? ('directory' as const) : ('file' as const),
        length: s.length,
        modificationTime: s.modificationTime,
      }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  read(path: string): Promise<Buffer> {
    return this.#retrying('OPEN', path, () => this.#twoStep('GET', path, 'OPEN', {}, undefined, 200));
  }

  async delete(path: string, options: DeleteOptions = {}): Promise<boolean> {
    this.#lengths.delete(path);
    return this.#retrying('DELETE', path, async () => {
      const result = await this.#call('DELETE', path, 'DELETE', { recursive: String(options.recursive ?? false) });
      if (result.status !== 200) throw responseError(`DELETE ${path}`, result);
      return (JSON.parse(result.body.toString('utf8')) as { boolean: boolean }).boolean;
    });
  }

  async mkdirs(path: string): Promise<void> {
    await this.#retrying('MKDIRS', path, async () => {
      const result = await this.#call('PUT', path, 'MKDIRS');
      if (result.status !== 200) throw responseError(`MKDIRS ${path}`, result);
      if (!(JSON.parse(result.body.toString('utf8')) as { boolean: boolean }).boolean) {
        throw hdfsError(HdfsErrorCodes.REJECTED, `MKDIRS ${path}: refused (is a parent a file?)`);
      }
    });
  }

  exists(path: string): Promise<boolean> {
    return this.#retrying('GETFILESTATUS', path, () => this.#exists(path));
  }

  async close(): Promise<void> {
    if (this.#closing.signal.aborted) return;
    this.#closing.abort(hdfsError(HdfsErrorCodes.CLOSED, `${this.description} was closed`));
    this.#transport.destroy();
    this.#uploads.destroy();
  }

  async #exists(path: string): Promise<boolean> {
    return (await this.#lengthOf(path)) !== undefined;
  }

  /** The length of a path, or undefined when it does not exist. */
  async #lengthOf(path: string): Promise<number | undefined> {
    const result = await this.#call('GET', path, 'GETFILESTATUS');
    if (result.status === 404) return undefined;
    if (result.status !== 200) throw responseError(`GETFILESTATUS ${path}`, result);
    return (JSON.parse(result.body.toString('utf8')) as { FileStatus: RawStatus }).FileStatus.length;
  }

  /** A NameNode call that redirects to a DataNode, then the DataNode call with the data. */
  async #twoStep(method: string, path: string, op: string, params: Record<string, string>, data: Uint8Array | undefined, expected: number): Promise<Buffer> {
    const first = await this.#call(method, path, op, params);
    const location = first.headers.location;
    if (first.status !== 307 || location === undefined) {
      if (first.status === expected && method === 'GET') return first.body;
      throw responseError(`${op} ${path} (NameNode)`, first);
    }
    const second = await this.#transport.send(method, new URL(location), `${op} ${path} (DataNode ${new URL(location).host})`, data);
    if (second.status !== expected) throw responseError(`${op} ${path} (DataNode ${new URL(location).host})`, second);
    return second.body;
  }

  #call(method: string, path: string, op: string, params: Record<string, string> = {}): Promise<HttpResult> {
    this.#check();
    const encoded = path.split('/').map(encodeURIComponent).join('/');
    const url = new URL(`/webhdfs/v1${encoded.startsWith('/') ? encoded : `/${encoded}`}`, this.#base);
    url.searchParams.set('op', op);
    url.searchParams.set('user.name', this.#user);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return this.#transport.send(method, url, `${op} ${path}`);
  }

  async #retrying<T>(op: string, path: string, fn: (attempt: number) => Promise<T>): Promise<T> {
    try {
      return await withRetries(
        this.#retry,
        {
          retriable: (e) => isRetriable(e) && !this.#closing.signal.aborted,
          signal: this.#closing.signal,
          onRetry: (e, attempt, delayMs) =>
            this.#logger.warn(`${op} ${path} failed, retrying`, { attempt, delayMs: Math.round(delayMs), error: (e as Error).message }),
        },
        fn,
      );
    } catch (error) {
      if (this.#closing.signal.aborted && !(error instanceof SquallError && error.code === HdfsErrorCodes.CLOSED)) {
        throw hdfsError(HdfsErrorCodes.CLOSED, `${op} ${path}: ${this.description} was closed`, { cause: error });
      }
      const fault = storageFaultOf(error);
      if (fault instanceof StorageFault && fault.retriable) {
        // A DataNode that refuses a block for a quota resets the connection before its answer can
        // be read: ask the NameNode whether a quota above the path is what ran out.
        const quota = fault.kind === 'transient' && (op === 'CREATE' || op === 'APPEND') ? await this.#exhaustedQuota(path).catch(() => undefined) : undefined;
        if (quota !== undefined) throw new StorageFault({ kind: 'no_space', op, path, fs: this.description, detail: quota, cause: error });
        throw new StorageFault({ kind: fault.kind, op, path, fs: this.description, detail: `${fault.detail}; ${this.#retry.maxAttempts} attempts`, cause: error });
      }
      if (isRetriable(error)) {
        throw hdfsError(HdfsErrorCodes.UNAVAILABLE, `${op} ${path} failed after ${this.#retry.maxAttempts} attempts: ${(error as Error).message}`, {
          retriable: true,
          cause: error,
        });
      }
      throw error;
    }
  }

  /**
   * The space quota of a directory above `path` that cannot hold another block, said as HDFS says
   * it; undefined when none is short (or none is set).
   */
  async #exhaustedQuota(path: string): Promise<string | undefined> {
    const block = this.#blockSize ?? 128 * 1024 * 1024;
    const parts = path.split('/').filter((p) => p !== '');
    for (let n = parts.length - 1; n >= 1 && n >= parts.length - 8; n--) {
      const dir = `/${parts.slice(0, n).join('/')}`;
      const result = await this.#call('GET', dir, 'GETCONTENTSUMMARY');
      if (result.status !== 200) continue;
      const summary = (JSON.parse(result.body.toString('utf8')) as { ContentSummary: { spaceQuota: number; spaceConsumed: number } }).ContentSummary;
      if (summary.spaceQuota >= 0 && summary.spaceConsumed + block > summary.spaceQuota) {
        return `DSQuotaExceededException: The DiskSpace quota of ${dir} is exceeded: quota = ${summary.spaceQuota} B but diskspace consumed = ${summary.spaceConsumed} B and a block needs ${block} B (read from the NameNode after the DataNode broke off the write)`;
      }
    }
    return undefined;
  }

  #check(): void {
    if (this.#closing.signal.aborted) throw hdfsError(HdfsErrorCodes.CLOSED, `${this.description} was closed`);
  }
}
