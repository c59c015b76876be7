/**
 * Typed access to node-zookeeper-client, which ships no type declarations. Only what infra/ and
 * its tests use is typed here.
 */
import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';

export interface ZkStat {
  readonly version: number;
  readonly ephemeralOwner: Buffer;
  readonly dataLength: number;
}

export interface ZkEvent {
  readonly type: number;
  readonly name: string;
  readonly path: string;
  getType(): number;
  getName(): string;
  getPath(): string;
}

export type ZkWatcher = (event: ZkEvent) => void;
export type ZkCallback<T> = (error: (Error & { code?: number; getCode?: () => number }) | null, result: T) => void;

export interface ZkClient extends EventEmitter {
  connect(): void;
  close(): void;
  getSessionId(): Buffer;
  getState(): { name: string; code: number };
  create(path: string, data: Buffer | null, mode: number, callback: ZkCallback<string>): void;
  remove(path: string, version: number, callback: ZkCallback<void>): void;
  exists(path: string, watcher: ZkWatcher | null, callback: ZkCallback<ZkStat | null>): void;
  getData(path: string, watcher: ZkWatcher | null, callback: (error: Error | null, data: Buffer, stat: ZkStat) => void): void;
  mkdirp(path: string, callback: ZkCallback<string>): void;
}

export interface ZkClientOptions {
  /** @default 30000 */
  sessionTimeout?: number;
  /** @default 1000 */
  spinDelay?: number;
  /** @default 0 */
  retries?: number;
}

export interface ZookeeperModule {
  createClient(connectionString: string, options?: ZkClientOptions): ZkClient;
  readonly CreateMode: { readonly PERSISTENT: number; readonly EPHEMERAL: number; readonly PERSISTENT_SEQUENTIAL: number; readonly EPHEMERAL_SEQUENTIAL: number };
  readonly Event: { readonly NODE_CREATED: number; readonly NODE_DELETED: number; readonly NODE_DATA_CHANGED: number; readonly NODE_CHILDREN_CHANGED: number };
  readonly Exception: { readonly NO_NODE: number; readonly NODE_EXISTS: number };
}

/** The node-zookeeper-client module, typed. */
export const zookeeper: ZookeeperModule = createRequire(import.meta.url)('node-zookeeper-client') as ZookeeperModule;
