/**
 * One WebHDFS HTTP exchange over a keep-alive agent, and the classification of its failures:
 * which ones are worth a retry (a refused or reset connection, a 5xx, a NameNode in safe mode,
 * a DataNode restarting) and which are final (a missing path, a path that exists, a denied
 * permission). Storage faults (a quota reached, a denied permission, safe mode, no DataNode)
 * become `StorageFault`s with their `SQUALL_ERR_STORAGE_*` code.
 */
import { Agent, type IncomingHttpHeaders, request } from 'node:http';
import { SquallError, StorageFault, storageFaultKind } from '../../core/index.js';
import { HdfsErrorCodes, hdfsError } from './errors.js';

/** A complete HTTP response. */
export interface HttpResult {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Java exceptions WebHDFS reports that no retry can fix. */
const PERMANENT_EXCEPTIONS = new Set([
  'FileNotFoundException',
  'FileAlreadyExistsException',
  'AccessControlException',
  'SecurityException',
  'AuthorizationException',
  'ParentNotDirectoryException',
  'PathIsNotEmptyDirectoryException',
  'InvalidPathException',
  'IllegalArgumentException',
  'HadoopIllegalArgumentException',
  'UnsupportedOperationException',
  'UnresolvedPathException',
  'DSQuotaExceededException',
  'NSQuotaExceededException',
  'QuotaExceededException',
]);

const RETRIABLE_NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED', 'UND_ERR_SOCKET']);

/** The `RemoteException` of a WebHDFS error body, when it has one. */
export function remoteException(body: Buffer): { exception: string; message: string } | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { RemoteException?: { exception?: string; message?: string } };
    const e = parsed.RemoteException;
    if (e === undefined) return undefined;
    return { exception: e.exception ?? 'RemoteException', message: (e.message ?? '').split('\n')[0]!.trim() };
  } catch {
    return undefined;
  }
}

/** The error for an unexpected HTTP status, with its code and retriability. */
export function responseError(what: string, result: HttpResult): SquallError {
  const remote = remoteException(result.body);
  const detail = remote !== undefined ? `${remote.exception}: ${remote.message}` : result.body.toString('utf8').slice(0, 200).trim();
  const message = `${what}: HTTP ${result.status}${detail ? ` (${detail})` : ''}`;
  if (result.status === 404 || remote?.exception === 'FileNotFoundException') return hdfsError(HdfsErrorCodes.NOT_FOUND, message);
  if (remote?.exception === 'FileAlreadyExistsException') return hdfsError(HdfsErrorCodes.ALREADY_EXISTS, message);
  const kind = remote === undefined ? undefined : storageFaultKind(remote);
  if (kind !== undefined) {
    const [op = what, path = ''] = what.split(' ', 2);
    return new StorageFault({ kind, op, path, detail: `HTTP ${result.status}, ${detail}` });
  }
  if (result.status === 400 || result.status === 401 || (remote !== undefined && PERMANENT_EXCEPTIONS.has(remote.exception))) {
    return hdfsError(HdfsErrorCodes.REJECTED, message);
  }
  // 5xx, 403 for an IOException (safe mode, a lease being recovered, no DataNode yet), 429, ...
  return hdfsError(HdfsErrorCodes.UNAVAILABLE, message, { retriable: true });
}

/** The error for a failed connection: retriable when the network may come back. */
export function networkError(what: string, error: unknown): SquallError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = `${what}: ${(error as Error)?.message ?? String(error)}${code ? ` (${code})` : ''}`;
  const retriable = code === undefined || RETRIABLE_NETWORK_CODES.has(code) || /socket hang up/i.test(String((error as Error)?.message));
  return hdfsError(retriable ? HdfsErrorCodes.UNAVAILABLE : HdfsErrorCodes.REJECTED, message, { retriable, cause: error });
}

/**
 * The error for an upload whose connection broke mid-file: a transient storage fault. The
 * DataNode's answer is lost with the connection (a quota reached at the next block, a DataNode
 * restarting), and a writer that holds and probes finds out which.
 */
export function brokenUpload(what: string, error: unknown): StorageFault {
  const [op = what, path = ''] = what.split(' ', 2);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return new StorageFault({ kind: 'transient', op, path, detail: `the connection to the DataNode broke: ${(error as Error)?.message ?? String(error)}${code ? ` (${code})` : ''}`, cause: error });
}

/** Sends requests over one keep-alive agent; each times out after `timeoutMs`. */
export class WebHdfsTransport {
  readonly #agent: Agent;
  readonly #timeoutMs: number;

  constructor(options: { timeoutMs: number; maxSockets: number }) {
    this.#agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets, scheduling: 'lifo' });
    this.#timeoutMs = options.timeoutMs;
  }

  /** One exchange. Rejects only for network failures, classified by {@link networkError}. */
  send(method: string, url: URL, what: string, body?: Uint8Array): Promise<HttpResult> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { 'content-length': body?.byteLength ?? 0 };
      if (body !== undefined) headers['content-type'] = 'application/octet-stream';
      const req = request(url, { method, agent: this.#agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', (e) => reject(networkError(what, e)));
      });
      req.setTimeout(this.#timeoutMs, () => {
        const e = Object.assign(new Error(`no response within ${this.#timeoutMs} ms`), { code: 'ETIMEDOUT' });
        req.destroy(e);
      });
      req.on('error', (e) => reject(networkError(what, e)));
      req.end(body === undefined ? undefined : Buffer.from(body.buffer, body.byteOffset, body.byteLength));
    });
  }

  /** Closes idle and active sockets. */
  destroy(): void {
    this.#agent.destroy();
  }
}
