/**
 * The cluster's state in ZooKeeper, after Storm's layout (shared/specs/cluster.md), under a
 * configurable root (default `/squall`):
 *
 * | path | kind | holds |
 * |---|---|---|
 * | `topologies/<id>` | persistent | name, status, workers, executors per component, bundle, config |
 * | `assignments/<id>` | persistent | executor → supervisor and slot, and the assignment **epoch** |
 * | `supervisors/<id>` | ephemeral | host, slots, resources |
 * | `workerbeats/<id>/<supervisor>-<port>` | persistent, rewritten | a worker's heartbeat |
 * | `errors/<id>/<component>/e<seq>` | persistent sequential | the component's last errors |
 * | `leader-lock/latch-<seq>` | ephemeral sequential | Nimbus leader election |
 * | `nimbuses/<host:port>` | ephemeral | live Nimbus processes |
 *
 * The epoch of a topology's assignment grows by one on every change, by compare-and-set on the
 * node's version, so two writers can never both produce the same epoch.
 */
import { type Observable, map } from 'rxjs';
import { SquallError, type TaskNumbers } from '../../core/index.js';
import type { ComponentDescription } from '../topology/topology-description.js';
import { type ZkSession, ZkErrorCodes, isZkError } from './zk-session.js';

/** The root Squall uses in ZooKeeper unless told otherwise. */
export const DEFAULT_ZK_ROOT = '/squall';
/** Errors kept per component, as Storm keeps them. */
export const ERRORS_KEPT = 10;

export type TopologyStatus = 'active' | 'inactive' | 'killed' | 'rebalancing';

export interface TopologyRecord {
  readonly id: string;
  readonly name: string;
  readonly status: TopologyStatus;
  readonly workers: number;
  /** Executors per component, where they differ from the topology file's (a rebalance). */
  readonly executors: Readonly<Record<string, number>>;
  /** The components as the bundle declared them: tasks, executors, cpu and memory. */
  readonly components: readonly ComponentDescription[];
  /** When a killed topology's workers are stopped and its state removed. */
  readonly killAt?: number;
  /** Where the bundle is stored. */
  readonly bundle: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly launchedAt: number;
}

export interface SupervisorRecord {
  readonly id: string;
  readonly host: string;
  /** Worker ports this supervisor offers. */
  readonly slots: readonly number[];
  readonly cpu: number;
  readonly memoryMb: number;
  readonly startedAt: number;
}

/** Where one executor runs. */
export interface ExecutorPlacement {
  readonly supervisor: string;
  readonly port: number;
}

export interface Assignment {
  readonly topologyId: string;
  /** Grows by one on every change of this topology's assignment. */
  readonly epoch: number;
  /** Executor id (`<component>[<first task>-<last task>]`) → where it runs. */
  readonly executors: Readonly<Record<string, ExecutorPlacement>>;
  /**
   * Executors per component where a rebalance changed them: the workers lay the topology out
   * with these, read in the same node as the placement so that the two always agree.
   */
  readonly componentExecutors?: Readonly<Record<string, number>>;
  readonly assignedAt: number;
}

/** What a worker writes into `workerbeats/` every beat. */
export interface WorkerBeat {
  readonly worker: string;
  readonly epoch: number;
  readonly time: number;
  readonly startedAt?: number;
  readonly executors?: readonly string[];
  /** Where the worker serves Prometheus metrics. */
  readonly metrics?: string;
  /** Counters per component, as the runtime's stats give them. */
  readonly components: Readonly<Record<string, { readonly kind: string; readonly emitted: number; readonly executed: number; readonly acked: number; readonly failed: number }>>;
  readonly pending: number;
  /** Each hosted task's exact counters and latency histograms (core's `taskSnapshot`). */
  readonly tasks?: readonly TaskNumbers[];
}

/** A live Nimbus, as `nimbuses/<host:port>` holds it. */
export interface NimbusRecord {
  readonly address: string;
  readonly startedAt: number;
  readonly version: string;
}

export interface ComponentErrorRecord {
  readonly component: string;
  readonly task: number;
  readonly worker: string;
  readonly message: string;
  readonly time: number;
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const parse = <T>(data: Buffer): T => JSON.parse(data.toString('utf8')) as T;

/** The paths of the layout under one root. */
export class ClusterPaths {
  constructor(readonly root: string = DEFAULT_ZK_ROOT) {}
  get topologies(): string {
    return `${this.root}/topologies`;
  }
  topology(id: string): string {
    return `${this.topologies}/${id}`;
  }
  get assignments(): string {
    return `${this.root}/assignments`;
  }
  assignment(id: string): string {
    return `${this.assignments}/${id}`;
  }
  get supervisors(): string {
    return `${this.root}/supervisors`;
  }
  supervisor(id: string): string {
    return `${this.supervisors}/${id}`;
  }
  workerbeats(topologyId: string): string {
    return `${this.root}/workerbeats/${topologyId}`;
  }
  errors(topologyId: string, component: string): string {
    return `${this.root}/errors/${topologyId}/${component}`;
  }
  get leaderLock(): string {
    return `${this.root}/leader-lock`;
  }
  get nimbuses(): string {
    return `${this.root}/nimbuses`;
  }
}

export class ClusterState {
  readonly paths: ClusterPaths;
  readonly #zk: ZkSession;

  constructor(zk: ZkSession, root: string = DEFAULT_ZK_ROOT) {
    this.#zk = zk;
    this.paths = new ClusterPaths(root);
  }

  /** Makes the layout's top-level nodes. Safe to call twice, and from every daemon. */
  async init(): Promise<void> {
    const p = this.paths;
    for (const path of [p.topologies, p.assignments, p.supervisors, `${p.root}/workerbeats`, `${p.root}/errors`, p.leaderLock, p.nimbuses]) await this.#zk.mkdirp(path);
  }

  /** Registers a supervisor for as long as its session lives. */
  async registerSupervisor(record: SupervisorRecord, waitMs?: number): Promise<void> {
    await this.#createEphemeral(this.paths.supervisor(record.id), json(record), waitMs);
  }

  /**
   * Creates an ephemeral node. When a node of that name exists, it belongs to an earlier session
   * of the same daemon (killed and started again at once) or to another daemon under the same
   * name: wait up to `waitMs` (a session timeout) for it to go, then refuse, saying which.
   */
  async #createEphemeral(path: string, data: Buffer, waitMs = 0): Promise<void> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      try {
        await this.#zk.create(path, data, 'ephemeral');
        return;
      } catch (error) {
        if (!isZkError(error, ZkErrorCodes.NODE_EXISTS) || Date.now() > deadline) {
          if (isZkError(error, ZkErrorCodes.NODE_EXISTS)) throw new SquallError(ZkErrorCodes.NODE_EXISTS, `${path} is held by another live process: is a daemon with this id or address already running? Give this one another id or address`, { cause: error });
          throw error;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  async supervisors(): Promise<SupervisorRecord[]> {
    const ids = await this.#zk.children(this.paths.supervisors);
    const records = await Promise.all(ids.map((id) => this.#zk.get(this.paths.supervisor(id))));
    return records.filter((r) => r !== undefined).map((r) => parse<SupervisorRecord>(r.data));
  }

  /** The ids of live supervisors, now and after every change. */
  watchSupervisors(): Observable<string[]> {
    return this.#zk.watchChildren(this.paths.supervisors).pipe(map((ids) => [...ids].sort()));
  }

  /** Registers a topology; refused with `NODE_EXISTS` when its id is taken. */
  async putTopology(record: TopologyRecord): Promise<void> {
    await this.#zk.create(this.paths.topology(record.id), json(record));
  }

  async topology(id: string): Promise<TopologyRecord | undefined> {
    const node = await this.#zk.get(this.paths.topology(id));
    return node === undefined ? undefined : parse<TopologyRecord>(node.data);
  }

  /** Changes a topology's record by compare-and-set; undefined when it is gone. */
  async updateTopology(id: string, change: (current: TopologyRecord) => TopologyRecord): Promise<TopologyRecord | undefined> {
    for (;;) {
      const node = await this.#zk.get(this.paths.topology(id));
      if (node === undefined) return undefined;
      const next = change(parse<TopologyRecord>(node.data));
      try {
        await this.#zk.set(this.paths.topology(id), json(next), node.version);
        return next;
      } catch (error) {
        if (!isZkError(error, ZkErrorCodes.BAD_VERSION)) throw error;
      }
    }
  }

  /** A topology's record, now and after every change (undefined once it is gone). */
  watchTopology(id: string): Observable<TopologyRecord | undefined> {
    return this.#zk.watchData(this.paths.topology(id)).pipe(map((node) => (node === undefined ? undefined : parse<TopologyRecord>(node.data))));
  }

  /**
   * Removes a topology: its assignment first (its workers stop), then its record, then its beats
   * and errors. Workers that are still stopping may write a last beat or error meanwhile:
   * {@link removeLeftovers} takes those away later.
   */
  async removeTopology(id: string): Promise<void> {
    await this.#zk.remove(this.paths.assignment(id));
    await this.#zk.remove(this.paths.topology(id));
    await this.removeLeftovers(new Set(await this.topologyIds()));
  }

  /** Removes the beats and errors of topologies that are gone (not in `live`). */
  async removeLeftovers(live: ReadonlySet<string>): Promise<void> {
    for (const dir of [`${this.paths.root}/workerbeats`, `${this.paths.root}/errors`]) {
      for (const id of await this.#zk.children(dir)) {
        if (!live.has(id)) await this.#zk.remove(`${dir}/${id}`, { recursive: true }).catch(() => {});
      }
    }
  }

  /** The beats of a topology's workers, by `<supervisor>-<port>`. */
  async workerBeats(topologyId: string): Promise<Map<string, WorkerBeat>> {
    const dir = this.paths.workerbeats(topologyId);
    const nodes = await this.#zk.children(dir);
    const beats = new Map<string, WorkerBeat>();
    for (const n of nodes) {
      const node = await this.#zk.get(`${dir}/${n}`);
      if (node !== undefined && node.data.length > 0) beats.set(n, parse<WorkerBeat>(node.data));
    }
    return beats;
  }

  /** Registers a live Nimbus for as long as its session lives. */
  async registerNimbus(record: NimbusRecord, waitMs?: number): Promise<void> {
    await this.#createEphemeral(`${this.paths.nimbuses}/${record.address}`, json(record), waitMs);
  }

  async nimbuses(): Promise<NimbusRecord[]> {
    const ids = await this.#zk.children(this.paths.nimbuses);
    const records = await Promise.all(ids.map((id) => this.#zk.get(`${this.paths.nimbuses}/${id}`)));
    return records.filter((r) => r !== undefined).map((r) => parse<NimbusRecord>(r.data));
  }

  /** The components of a topology that have errors. */
  async errorComponents(topologyId: string): Promise<string[]> {
    return (await this.#zk.children(`${this.paths.root}/errors/${topologyId}`)).sort();
  }

  async topologyIds(): Promise<string[]> {
    return (await this.#zk.children(this.paths.topologies)).sort();
  }

  async assignment(topologyId: string): Promise<Assignment | undefined> {
    const node = await this.#zk.get(this.paths.assignment(topologyId));
    return node === undefined ? undefined : parse<Assignment>(node.data);
  }

  /** A topology's assignment, now and after every change (undefined while it has none). */
  watchAssignment(topologyId: string): Observable<Assignment | undefined> {
    return this.#zk.watchData(this.paths.assignment(topologyId)).pipe(map((node) => (node === undefined ? undefined : parse<Assignment>(node.data))));
  }

  /**
   * Changes a topology's assignment: `next` gets the current one (or undefined) and returns the
   * executors' new places. The epoch grows by one, by compare-and-set: when another writer
   * changed the assignment first, `next` runs again on what it wrote.
   */
  async assign(topologyId: string, next: (current: Assignment | undefined) => Readonly<Record<string, ExecutorPlacement>>, componentExecutors: Readonly<Record<string, number>> = {}): Promise<Assignment> {
    const path = this.paths.assignment(topologyId);
    for (;;) {
      const node = await this.#zk.get(path);
      const current = node === undefined ? undefined : parse<Assignment>(node.data);
      const assignment: Assignment = { topologyId, epoch: (current?.epoch ?? 0) + 1, executors: next(current), componentExecutors, assignedAt: Date.now() };
      try {
        if (node === undefined) await this.#zk.create(path, json(assignment));
        else await this.#zk.set(path, json(assignment), node.version);
        return assignment;
      } catch (error) {
        if (isZkError(error, ZkErrorCodes.BAD_VERSION) || isZkError(error, ZkErrorCodes.NODE_EXISTS)) continue;
        throw error;
      }
    }
  }

  /** The epoch of a topology's assignment now; 0 when it has none. */
  async epoch(topologyId: string): Promise<number> {
    return (await this.assignment(topologyId))?.epoch ?? 0;
  }

  /** Records a component's error and keeps only the last {@link ERRORS_KEPT}. */
  async reportError(topologyId: string, error: ComponentErrorRecord): Promise<void> {
    const dir = this.paths.errors(topologyId, error.component);
    await this.#zk.mkdirp(dir);
    await this.#zk.create(`${dir}/e`, json(error), 'persistent-sequential');
    const nodes = (await this.#zk.children(dir)).sort();
    for (const old of nodes.slice(0, Math.max(0, nodes.length - ERRORS_KEPT))) await this.#zk.remove(`${dir}/${old}`);
  }

  /** A component's last errors, oldest first. */
  async errors(topologyId: string, component: string): Promise<ComponentErrorRecord[]> {
    const dir = this.paths.errors(topologyId, component);
    const nodes = (await this.#zk.children(dir)).sort();
    const records = await Promise.all(nodes.map((n) => this.#zk.get(`${dir}/${n}`)));
    return records.filter((r) => r !== undefined).map((r) => parse<ComponentErrorRecord>(r.data));
  }
}
