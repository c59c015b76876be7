/**
 * A ZooKeeper session on node-zookeeper-client, with promises for calls and rxjs streams for
 * what ZooKeeper tells: watches (children, data) and the session's own state. A session that
 * expires is over for good: its ephemeral nodes are gone, and `expired` says so once; a daemon
 * then makes a new session and registers again.
 *
 * @example
 * ```ts
 * const zk = await ZkSession.connect({ connectionString: '127.0.0.1:2181', sessionTimeoutMs: 6000 });
 * await zk.mkdirp('/squall/supervisors');
 * await zk.create('/squall/supervisors/host-1', Buffer.from('{}'), 'ephemeral');
 * zk.children('/squall/supervisors').subscribe((ids) => console.log(ids));
 * ```
 */
import { createRequire } from 'node:module';
import { Observable, ReplaySubject } from 'rxjs';
import { type Logger, SquallError, messageOf } from '../../core/index.js';

/** How a node is created. */
export type CreateMode = 'persistent' | 'ephemeral' | 'persistent-sequential' | 'ephemeral-sequential';

/** What `getData` and watches see of a node. */
export interface ZkNode {
  readonly data: Buffer;
  /** The node's data version, for compare-and-set. */
  readonly version: number;
}

/** One operation of an atomic {@link ZkSession.transaction}. */
export type ZkOp =
  | { readonly op: 'create'; readonly path: string; readonly data?: Buffer; readonly mode?: CreateMode }
  | { readonly op: 'set'; readonly path: string; readonly data: Buffer; readonly version?: number }
  | { readonly op: 'remove'; readonly path: string; readonly version?: number }
  | { readonly op: 'check'; readonly path: string; readonly version: number };

export const ZkErrorCodes = Object.freeze({
  /** ZooKeeper could not be reached in time. Retriable. */
  CONNECT: 'SQUALL_ERR_ZK_CONNECT',
  /** The node does not exist. */
  NO_NODE: 'SQUALL_ERR_ZK_NO_NODE',
  /** The node exists already. */
  NODE_EXISTS: 'SQUALL_ERR_ZK_NODE_EXISTS',
  /** A compare-and-set found another version: someone else changed the node first. */
  BAD_VERSION: 'SQUALL_ERR_ZK_BAD_VERSION',
  /** The session expired; everything ephemeral of it is gone. */
  SESSION_EXPIRED: 'SQUALL_ERR_ZK_SESSION_EXPIRED',
  /** Any other ZooKeeper failure. Retriable. */
  FAILED: 'SQUALL_ERR_ZK_FAILED',
} as const);

interface RawStat {
  readonly version: number;
}
interface RawError extends Error {
  getCode?(): number;
  code?: number;
}
type Callback<T> = (error: RawError | null, result: T) => void;
interface RawClient {
  connect(): void;
  close(): void;
  getSessionId(): Buffer;
  getSessionPassword(): Buffer;
  on(event: string, listener: (...args: unknown[]) => void): void;
  once(event: string, listener: (...args: unknown[]) => void): void;
  create(path: string, data: Buffer | null, mode: number, callback: Callback<string>): void;
  remove(path: string, version: number, callback: Callback<void>): void;
  removeRecursive(path: string, version: number, callback: Callback<void>): void;
  setData(path: string, data: Buffer, version: number, callback: Callback<RawStat>): void;
  getData(path: string, watcher: ((event: unknown) => void) | null, callback: (error: RawError | null, data: Buffer | undefined, stat: RawStat) => void): void;
  getChildren(path: string, watcher: ((event: unknown) => void) | null, callback: Callback<string[]>): void;
  exists(path: string, watcher: ((event: unknown) => void) | null, callback: Callback<RawStat | null>): void;
  mkdirp(path: string, callback: Callback<string>): void;
  transaction(): RawTransaction;
}
interface RawTransaction {
  create(path: string, data: Buffer | null, acls: unknown, mode: number): RawTransaction;
  setData(path: string, data: Buffer, version: number): RawTransaction;
  remove(path: string, version: number): RawTransaction;
  check(path: string, version: number): RawTransaction;
  commit(callback: Callback<unknown[]>): void;
}
interface RawModule {
  createClient(connectionString: string, options: Record<string, unknown>): RawClient;
  readonly CreateMode: Record<'PERSISTENT' | 'EPHEMERAL' | 'PERSISTENT_SEQUENTIAL' | 'EPHEMERAL_SEQUENTIAL', number>;
  readonly ACL: { readonly OPEN_ACL_UNSAFE: unknown };
  readonly Exception: Record<'NO_NODE' | 'NODE_EXISTS' | 'BAD_VERSION' | 'SESSION_EXPIRED' | 'CONNECTION_LOSS', number>;
}

const zookeeper = createRequire(import.meta.url)('node-zookeeper-client') as RawModule;
const MODES: Record<CreateMode, number> = {
  persistent: zookeeper.CreateMode.PERSISTENT,
  ephemeral: zookeeper.CreateMode.EPHEMERAL,
  'persistent-sequential': zookeeper.CreateMode.PERSISTENT_SEQUENTIAL,
  'ephemeral-sequential': zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL,
};

/** How to reach ZooKeeper. */
export interface ZkSessionOptions {
  /** `host:port[,host:port...]`. */
  readonly connectionString: string;
  /** The session expires after this long without the server hearing from us. @default 10000 */
  readonly sessionTimeoutMs?: number;
  /** Give up connecting after this long. @default 15000 */
  readonly connectTimeoutMs?: number;
  /** Join an existing session (tests use this to expire one). */
  readonly session?: { readonly id: Buffer; readonly password: Buffer };
}

function zkError(error: RawError, what: string): SquallError {
  const code = error.getCode?.() ?? error.code;
  const x = zookeeper.Exception;
  const [squall, retriable] =
    code === x.NO_NODE
      ? [ZkErrorCodes.NO_NODE, false]
      : code === x.NODE_EXISTS
        ? [ZkErrorCodes.NODE_EXISTS, false]
        : code === x.BAD_VERSION
          ? [ZkErrorCodes.BAD_VERSION, false]
          : code === x.SESSION_EXPIRED
            ? [ZkErrorCodes.SESSION_EXPIRED, false]
            : [ZkErrorCodes.FAILED, true];
  return new SquallError(squall, `${what}: ${error.message}`, { retriable, cause: error });
}

/** True when `error` is a ZooKeeper error with this code. */
export function isZkError(error: unknown, code: string): boolean {
  return error instanceof SquallError && error.code === code;
}

export class ZkSession {
  readonly #client: RawClient;
  readonly #expired = new ReplaySubject<void>(1);
  #closed = false;
  /** Emits once, when the session expires (not when it is closed). */
  readonly expired: Observable<void> = this.#expired.asObservable();

  private constructor(client: RawClient) {
    this.#client = client;
    client.on('expired', () => {
      this.#expired.next();
      this.#expired.complete();
    });
  }

  /** Connects, resolving once the session is established. */
  static connect(options: ZkSessionOptions): Promise<ZkSession> {
    const settings: Record<string, unknown> = { sessionTimeout: options.sessionTimeoutMs ?? 10_000, spinDelay: 200, retries: 2 };
    if (options.session !== undefined) Object.assign(settings, { sessionId: options.session.id, sessionPassword: options.session.password });
    const client = zookeeper.createClient(options.connectionString, settings);
    const timeoutMs = options.connectTimeoutMs ?? 15_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        client.close();
        reject(new SquallError(ZkErrorCodes.CONNECT, `could not reach ZooKeeper at ${options.connectionString} within ${timeoutMs} ms: check that it is up (bash infra/zookeeper.sh status) and the address`, { retriable: true }));
      }, timeoutMs);
      client.once('connected', () => {
        clearTimeout(timer);
        resolve(new ZkSession(client));
      });
      client.connect();
    });
  }

  /** The session's id and password, to join it from another client. */
  get credentials(): { id: Buffer; password: Buffer } {
    return { id: this.#client.getSessionId(), password: this.#client.getSessionPassword() };
  }

  #call<T>(what: string, fn: (cb: Callback<T>) => void): Promise<T> {
    return new Promise((resolve, reject) => fn((error, result) => (error ? reject(zkError(error, what)) : resolve(result))));
  }

  /** Creates a node; resolves with its path (with the sequence number for a sequential one). */
  create(path: string, data: Buffer = Buffer.alloc(0), mode: CreateMode = 'persistent'): Promise<string> {
    return this.#call(`create ${path}`, (cb) => this.#client.create(path, data, MODES[mode], cb));
  }

  /** Makes a path and its missing parents. */
  async mkdirp(path: string): Promise<void> {
    await this.#call(`mkdirp ${path}`, (cb) => this.#client.mkdirp(path, cb));
  }

  /** A node's data and version; undefined when it does not exist. */
  get(path: string): Promise<ZkNode | undefined> {
    return new Promise((resolve, reject) =>
      this.#client.getData(path, null, (error, data, stat) => {
        if (error === null) resolve({ data: data ?? Buffer.alloc(0), version: stat.version });
        else if (zkError(error, '').code === ZkErrorCodes.NO_NODE) resolve(undefined);
        else reject(zkError(error, `get ${path}`));
      }),
    );
  }

  /** Sets a node's data; with `version`, only if the node is still at it (compare-and-set). */
  async set(path: string, data: Buffer, version = -1): Promise<number> {
    return (await this.#call<RawStat>(`set ${path}`, (cb) => this.#client.setData(path, data, version, cb))).version;
  }

  /** A node's children; empty when the node does not exist. */
  async children(path: string): Promise<string[]> {
    try {
      return await this.#call<string[]>(`children of ${path}`, (cb) => this.#client.getChildren(path, null, cb));
    } catch (error) {
      if (isZkError(error, ZkErrorCodes.NO_NODE)) return [];
      throw error;
    }
  }

  async exists(path: string): Promise<boolean> {
    return (await this.#call<RawStat | null>(`exists ${path}`, (cb) => this.#client.exists(path, null, cb))) !== null;
  }

  /** Removes a node (and, with `recursive`, everything under it); false when it was not there. */
  async remove(path: string, options: { recursive?: boolean; version?: number } = {}): Promise<boolean> {
    try {
      await this.#call<void>(`remove ${path}`, (cb) => (options.recursive ? this.#client.removeRecursive(path, options.version ?? -1, cb) : this.#client.remove(path, options.version ?? -1, cb)));
      return true;
    } catch (error) {
      if (isZkError(error, ZkErrorCodes.NO_NODE)) return false;
      throw error;
    }
  }

  /** Applies every operation, or none (ZooKeeper's multi). */
  async transaction(ops: readonly ZkOp[]): Promise<void> {
    let t = this.#client.transaction();
    for (const o of ops) {
      if (o.op === 'create') t = t.create(o.path, o.data ?? Buffer.alloc(0), zookeeper.ACL.OPEN_ACL_UNSAFE, MODES[o.mode ?? 'persistent']);
      else if (o.op === 'set') t = t.setData(o.path, o.data, o.version ?? -1);
      else if (o.op === 'remove') t = t.remove(o.path, o.version ?? -1);
      else t = t.check(o.path, o.version);
    }
    await this.#call(`transaction of ${ops.length} operations`, (cb) => t.commit(cb));
  }

  /**
   * A node's children, now and after every change: a watch set again after each event. Emits
   * `[]` while the node does not exist. Completes when the session expires or closes.
   */
  watchChildren(path: string): Observable<string[]> {
    return this.#watch((watcher, emit, fail) =>
      this.#client.getChildren(path, watcher, (error, children) => {
        if (error === null) return emit(children);
        if (zkError(error, '').code !== ZkErrorCodes.NO_NODE) return fail(zkError(error, `watch children of ${path}`));
        // No node yet: watch for it to appear instead.
        this.#client.exists(path, watcher, (e2, stat) => (e2 !== null ? fail(zkError(e2, `watch ${path}`)) : stat === null ? emit([]) : watcher({})));
      }),
    );
  }

  /** A node's data, now and after every change; undefined while it does not exist. */
  watchData(path: string): Observable<ZkNode | undefined> {
    return this.#watch((watcher, emit, fail) =>
      this.#client.exists(path, watcher, (error, stat) => {
        if (error !== null) return fail(zkError(error, `watch ${path}`));
        if (stat === null) return emit(undefined);
        this.#client.getData(path, watcher, (e2, data, s2) => {
          if (e2 === null) return emit({ data: data ?? Buffer.alloc(0), version: s2.version });
          if (zkError(e2, '').code === ZkErrorCodes.NO_NODE) return emit(undefined);
          fail(zkError(e2, `watch ${path}`));
        });
      }),
    );
  }

  #watch<T>(read: (watcher: (event: unknown) => void, emit: (value: T) => void, fail: (error: unknown) => void) => void): Observable<T> {
    return new Observable<T>((subscriber) => {
      let active = true;
      const again = () => {
        if (active && !this.#closed) read(watcher, (v) => active && subscriber.next(v), (e) => active && subscriber.error(e));
      };
      // One watch can fire for both calls of a read; a flag keeps it to one re-read per event.
      let pending = false;
      const watcher = () => {
        if (pending) return;
        pending = true;
        queueMicrotask(() => {
          pending = false;
          again();
        });
      };
      const ended = this.expired.subscribe(() => subscriber.complete());
      again();
      return () => {
        active = false;
        ended.unsubscribe();
      };
    });
  }

  /** Ends the session: its ephemeral nodes go at once. Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#client.close();
  }
}

/**
 * After a session expired: calls `connect` (which makes a new session and its ephemeral nodes
 * again) until it succeeds, or until `closed()` says the daemon is stopping.
 */
export async function reconnectUntilDone(connect: () => Promise<void>, options: { closed: () => boolean; logger: Logger; delayMs?: number }): Promise<void> {
  while (!options.closed()) {
    try {
      await connect();
      return;
    } catch (error) {
      options.logger.warn(`could not reconnect to ZooKeeper: ${messageOf(error)}; retrying in ${options.delayMs ?? 1_000} ms`);
      await new Promise((r) => setTimeout(r, options.delayMs ?? 1_000));
    }
  }
}
