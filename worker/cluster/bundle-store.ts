/**
 * Where topology bundles live, so that any Nimbus and any supervisor can fetch one after any
 * single process dies. The cluster keeps them in HDFS ({@link WebHdfsBundleStore}); local mode
 * needs no store.
 *
 * A bundle is written once under its topology id and never changed; it is deleted only once its
 * topology is gone (Nimbus's cleanup), never while the topology runs.
 */
import { request } from 'node:http';
import { SquallError, messageOf } from '../../core/index.js';

export interface BundleStore {
  /** Stores a bundle; refused when the key exists. Returns where it is, for messages. */
  put(key: string, code: string): Promise<string>;
  /** A stored bundle; throws `BUNDLE_MISSING` when there is none. */
  get(key: string): Promise<string>;
  /** Removes a bundle; no error when it is already gone. */
  delete(key: string): Promise<void>;
  /** The keys stored. */
  list(): Promise<string[]>;
  /** Where the store is, for messages. */
  readonly location: string;
}

export const BundleErrorCodes = Object.freeze({
  MISSING: 'SQUALL_ERR_BUNDLE_MISSING',
  STORE: 'SQUALL_ERR_BUNDLE_STORE',
} as const);

const BUNDLE_FILE = /^[A-Za-z0-9._-]+$/;

export interface WebHdfsBundleStoreOptions {
  /** The NameNode's HTTP address, e.g. `http://127.0.0.1:9870`. */
  readonly url: string;
  /** The HDFS directory of bundles. @default '/squall/bundles' */
  readonly dir?: string;
  /** Sent as `user.name`. @default 'squall' */
  readonly user?: string;
  /** Per request. @default 30000 */
  readonly timeoutMs?: number;
}

/** Bundles as files `<dir>/<key>.bundle.mjs` in HDFS, over WebHDFS. */
export class WebHdfsBundleStore implements BundleStore {
  readonly location: string;
  readonly #base: string;
  readonly #dir: string;
  readonly #user: string;
  readonly #timeoutMs: number;

  constructor(options: WebHdfsBundleStoreOptions) {
    this.#base = `${options.url.replace(/\/+$/, '').replace(/\/webhdfs\/v1$/, '')}/webhdfs/v1`;
    this.#dir = (options.dir ?? '/squall/bundles').replace(/\/+$/, '');
    this.#user = options.user ?? 'squall';
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.location = `${options.url.replace(/\/+$/, '')}${this.#dir}`;
  }

  #url(path: string, op: string, params: Record<string, string> = {}): string {
    const q = new URLSearchParams({ op, 'user.name': this.#user, ...params });
    return `${this.#base}${path}?${q}`;
  }

  #file(key: string): string {
    if (!BUNDLE_FILE.test(key)) throw new Error(`a bundle key is letters, digits, '.', '_' and '-', got '${key}'`);
    return `${this.#dir}/${key}.bundle.mjs`;
  }

  /** One HTTP exchange (node:http: DataNodes answer in a way fetch refuses). Follows no redirect. */
  #fetch(what: string, url: string, init: { method?: string; body?: string } = {}): Promise<{ status: number; location: string | undefined; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request(url, { method: init.method ?? 'GET', timeout: this.#timeoutMs, headers: init.body === undefined ? {} : { 'content-type': 'application/octet-stream', 'content-length': Buffer.byteLength(init.body) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.#timeoutMs} ms`)));
      req.on('error', (error) => reject(new SquallError(BundleErrorCodes.STORE, `cannot reach the bundle store at ${this.location} to ${what}: ${messageOf(error)}. Is HDFS up (bash infra/up.sh)?`, { cause: error, retriable: true })));
      req.end(init.body);
    });
  }

  #fail(what: string, res: { status: number; body: string }): never {
    const remote = /"message"\s*:\s*"([^"\\]*)/.exec(res.body)?.[1] ?? res.body.slice(0, 200);
    throw new SquallError(BundleErrorCodes.STORE, `the bundle store at ${this.location} refused to ${what}: HTTP ${res.status}${remote ? `: ${remote}` : ''}`, { retriable: res.status >= 500 });
  }

  async put(key: string, code: string): Promise<string> {
    const file = this.#file(key);
    const what = `store ${file}`;
    // WebHDFS's two steps: the NameNode names a DataNode, which takes the bytes.
    const first = await this.#fetch(what, this.#url(file, 'CREATE', { overwrite: 'false' }), { method: 'PUT' });
    if (first.status !== 307 || first.location === undefined) this.#fail(what, first);
    const second = await this.#fetch(what, first.location, { method: 'PUT', body: code });
    if (second.status !== 201) this.#fail(what, second);
    return `${this.location}/${key}.bundle.mjs`;
  }

  async get(key: string): Promise<string> {
    const file = this.#file(key);
    const what = `read ${file}`;
    const first = await this.#fetch(what, this.#url(file, 'OPEN'));
    if (first.status === 404) throw new SquallError(BundleErrorCodes.MISSING, `no bundle ${file} in ${this.location}: the topology was killed, or its bundle was removed by hand`);
    if (first.status !== 307 || first.location === undefined) this.#fail(what, first);
    const second = await this.#fetch(what, first.location);
    if (second.status !== 200) this.#fail(what, second);
    return second.body;
  }

  async delete(key: string): Promise<void> {
    const file = this.#file(key);
    const res = await this.#fetch(`delete ${file}`, this.#url(file, 'DELETE'), { method: 'DELETE' });
    if (res.status !== 200) this.#fail(`delete ${file}`, res);
  }

  async list(): Promise<string[]> {
    const res = await this.#fetch(`list ${this.#dir}`, this.#url(this.#dir, 'LISTSTATUS'));
    if (res.status === 404) return [];
    if (res.status !== 200) this.#fail(`list ${this.#dir}`, res);
    const body = JSON.parse(res.body) as { FileStatuses: { FileStatus: { pathSuffix: string }[] } };
    return body.FileStatuses.FileStatus.map((s) => s.pathSuffix).filter((n) => n.endsWith('.bundle.mjs')).map((n) => n.slice(0, -'.bundle.mjs'.length)).sort();
  }
}
