/**
 * A worker process: hosts the executors of one topology that its assignment in ZooKeeper
 * places on its slot (`<supervisor>:<port>`), and talks to the other workers over the transport.
 * Every worker computes the same layout from the same topology file, so an executor id means
 * the same tasks everywhere.
 *
 * It beats every `heartbeatMs` into `workerbeats/<topology>/<supervisor>-<port>` with its
 * executors and their counters. When its assignment changes (a new epoch that moves its
 * executors), it drains and exits, and its supervisor starts it again on the new assignment, as
 * Storm's supervisors relaunch a worker. States: starting → running → stopping → stopped.
 */
import { type Subscription, distinctUntilChanged, map } from 'rxjs';
import { type ComponentError, type Logger, type TopologyDefinition, MetricRegistry, SquallError, TopologyRuntime, messageOf, taskSnapshot } from '../core/index.js';
import { type Assignment, ClusterState } from './cluster/cluster-state.js';
import { ZkErrorCodes, ZkSession, isZkError } from './cluster/zk-session.js';
import { MetricsServer } from './metrics/metrics-server.js';
import { PrometheusBridge } from './metrics/prometheus-bridge.js';
import { withExecutors } from './topology/topology-description.js';
import { WorkerTransport } from './transport/worker-transport.js';

export interface WorkerProcessOptions {
  /** The topology, or how to load it with the config it was submitted with. */
  readonly topology: TopologyDefinition | ((config: Readonly<Record<string, unknown>>) => Promise<TopologyDefinition>);
  readonly topologyId: string;
  readonly supervisor: string;
  readonly port: number;
  readonly zookeeper: string;
  readonly zkRoot: string;
  readonly config?: Readonly<Record<string, unknown>>;
  readonly logger: Logger;
  /** @default 1000 */
  readonly heartbeatMs?: number;
  /** How long a stop may drain in-flight tuples, in ms. @default 10000 */
  readonly drainMs?: number;
  /** How long to wait for peer workers before the spouts start, in ms. @default 30000 */
  readonly connectTimeoutMs?: number;
  /** Serve Prometheus metrics on this port (of the supervisor's host); none when undefined. */
  readonly metricsPort?: number;
}

export type WorkerState = 'starting' | 'running' | 'stopping' | 'stopped';

export const WorkerErrorCodes = Object.freeze({
  /** The worker's slot has no executors of the topology in the assignment. */
  NOT_ASSIGNED: 'SQUALL_ERR_WORKER_NOT_ASSIGNED',
} as const);

export class WorkerProcess {
  readonly #o: WorkerProcessOptions;
  readonly id: string;
  #state: WorkerState = 'starting';
  #zk!: ZkSession;
  #state$: ClusterState | undefined;
  #runtime!: TopologyRuntime;
  #transport!: WorkerTransport;
  #beat: NodeJS.Timeout | undefined;
  #watch: Subscription | undefined;
  #stopping: Promise<void> | undefined;
  #failure: ComponentError | undefined;
  #epoch = 0;
  #startedAt = Date.now();
  #executors: string[] = [];
  #reportedUpTo = 0;
  #active = true;
  #metrics: MetricsServer | undefined;
  #metricsUrl: string | undefined;
  /** Resolves when the worker has stopped, with why. */
  readonly stopped: Promise<string>;
  #resolveStopped!: (why: string) => void;

  constructor(options: WorkerProcessOptions) {
    this.#o = options;
    this.id = `${options.supervisor}:${options.port}`;
    this.stopped = new Promise((resolve) => (this.#resolveStopped = resolve));
  }

  get state(): WorkerState {
    return this.#state;
  }

  async start(): Promise<void> {
    const o = this.#o;
    this.#zk = await ZkSession.connect({ connectionString: o.zookeeper });
    const cluster = (this.#state$ = new ClusterState(this.#zk, o.zkRoot));
    const assignment = await cluster.assignment(o.topologyId);
    const placements = assignment?.executors ?? {};
    const mine = Object.entries(placements).filter(([, p]) => `${p.supervisor}:${p.port}` === this.id).map(([id]) => id);
    if (assignment === undefined || mine.length === 0) {
      throw new SquallError(WorkerErrorCodes.NOT_ASSIGNED, `worker ${this.id} has no executors of topology '${o.topologyId}' in its assignment (epoch ${assignment?.epoch ?? 0}): the supervisor started it for an assignment that has changed`);
    }
    this.#epoch = assignment.epoch;
    // From here on, a new epoch stops the worker, even while it is still starting (waiting for a
    // peer that is gone, say): its supervisor starts it again on the new assignment.
    this.#watch = cluster.watchAssignment(o.topologyId).subscribe({ next: (a) => this.#assignmentChanged(a), error: () => {}, complete: () => void this.stop('the ZooKeeper session expired') });
    const record = await cluster.topology(o.topologyId);
    const config = { ...record?.config, ...o.config };
    const loaded = typeof o.topology === 'function' ? await o.topology(config) : o.topology;
    // A rebalance may have changed some components' executors: every worker applies the same counts.
    const topology = withExecutors(loaded, assignment.componentExecutors ?? record?.executors ?? {});
    const hosts = new Map((await cluster.supervisors()).map((s) => [s.id, s.host]));
    const probe = new TopologyRuntime({ topology });
    const metrics = new MetricRegistry();
    const workerOfTask = new Map<number, string>();
    for (const e of probe.layout.executors) {
      const p = placements[e.id];
      if (p !== undefined) for (const t of e.tasks) workerOfTask.set(t, `${p.supervisor}:${p.port}`);
    }
    this.#transport = new WorkerTransport({
      self: this.id,
      workerOfTask: (t) => workerOfTask.get(t) ?? 'unassigned',
      addressOf: (w) => {
        const i = w.lastIndexOf(':');
        const host = hosts.get(w.slice(0, i));
        return host === undefined ? undefined : { host, port: Number(w.slice(i + 1)) };
      },
      logger: o.logger,
      metrics: metrics.group({ topology: topology.name }),
    });
    await this.#transport.listen({ host: hosts.get(o.supervisor) ?? '127.0.0.1', port: o.port });
    const hosted = new Set(mine);
    this.#runtime = new TopologyRuntime({
      topology,
      config,
      logger: o.logger,
      metrics,
      hosted: (layout) => layout.executors.filter((e) => hosted.has(e.id)),
      remoteEndpoint: (task) => this.#transport.endpoint(task),
      remoteAcks: this.#transport.acks(),
    });
    this.#transport.attach(this.#runtime);
    if (o.metricsPort !== undefined) await this.#serveMetrics(hosts.get(o.supervisor) ?? '127.0.0.1', o.metricsPort);
    if (!(await this.#transport.untilConnected(o.connectTimeoutMs ?? 30_000))) {
      o.logger.warn(`not every peer worker answered within ${o.connectTimeoutMs ?? 30_000} ms; starting anyway (tuples for a missing peer fail and are replayed)`);
    }
    this.#executors = mine;
    if (this.#stopping !== undefined) return;
    // A deactivated (or killed) topology's spouts start inactive: not a tuple is emitted.
    this.#active = record?.status === 'active' || record?.status === 'rebalancing';
    await this.#runtime.start({ active: this.#active });
    if (this.#stopping !== undefined) return;
    // A task that cannot go on (a sink whose storage stayed full past storageDeadlineMs): say
    // why and stop, so the supervisor and the user see the reason instead of an idle worker.
    void this.#runtime.failure.then((error) => {
      this.#failure = error;
      o.logger.error(`'${error.component}' task ${error.task} cannot go on: ${error.message}`, { code: error.code ?? null });
      void this.stop(`'${error.component}' task ${error.task} cannot go on`);
    });
    this.#state = 'running';
    o.logger.info(`worker ${this.id} runs ${mine.length} executors of '${o.topologyId}' under epoch ${this.#epoch}`, { executors: mine.join(',') });
    this.#beat = setInterval(() => void this.#heartbeat(), o.heartbeatMs ?? 1_000);
    void this.#heartbeat();
    // Deactivated or killed: the spouts stop emitting and what is in flight completes.
    this.#watch.add(
      cluster
        .watchTopology(o.topologyId)
        .pipe(map((r) => r?.status === 'active' || r?.status === 'rebalancing'), distinctUntilChanged())
        .subscribe({ next: (active) => void this.#setActive(active), error: () => {} }),
    );
  }

  async #serveMetrics(host: string, port: number): Promise<void> {
    const bridge = new PrometheusBridge({ labels: { worker: this.id } });
    bridge.add(this.#runtime.metrics);
    const server = new MetricsServer(bridge);
    try {
      this.#metricsUrl = await server.listen({ host, port });
      this.#metrics = server;
    } catch (error) {
      this.#o.logger.warn(`no metrics: cannot listen on ${host}:${port} (${messageOf(error)}); the worker runs without /metrics`);
    }
  }

  async #setActive(active: boolean): Promise<void> {
    if (this.#state !== 'running' || active === this.#active) return;
    this.#active = active;
    this.#o.logger.info(`worker ${this.id}: spouts ${active ? 'activated' : 'deactivated'}`);
    await this.#runtime.setActive(active);
  }

  /** The error a task reported as fatal, when one did: the worker stopped because of it. */
  get failure(): ComponentError | undefined {
    return this.#failure;
  }

  /** The worker's epoch: that of the assignment it runs. */
  get epoch(): number {
    return this.#epoch;
  }

  #assignmentChanged(next: Assignment | undefined): void {
    if (next === undefined) {
      void this.stop('the topology was killed: its assignment is gone');
      return;
    }
    if (next.epoch === this.#epoch) return;
    void this.stop(`the assignment changed (epoch ${this.#epoch} -> ${next.epoch})`);
  }

  async #heartbeat(): Promise<void> {
    if (this.#state !== 'running' || this.#state$ === undefined) return;
    const stats = this.#runtime.stats();
    const beat = { worker: this.id, epoch: this.#epoch, time: Date.now(), startedAt: this.#startedAt, executors: this.#executors, ...(this.#metricsUrl === undefined ? {} : { metrics: this.#metricsUrl }), components: stats.components, pending: stats.pending, tasks: taskSnapshot(this.#runtime.metrics, this.#runtime.topologyName) };
    await this.#reportErrors();
    const path = `${this.#state$.paths.workerbeats(this.#o.topologyId)}/${this.#o.supervisor}-${this.#o.port}`;
    const data = Buffer.from(JSON.stringify(beat));
    try {
      await this.#zk.set(path, data).catch(async (error: unknown) => {
        if (!isZkError(error, ZkErrorCodes.NO_NODE)) throw error;
        await this.#zk.mkdirp(path);
        await this.#zk.set(path, data);
      });
    } catch (error) {
      this.#o.logger.warn(`heartbeat not written: ${messageOf(error)}`);
    }
  }

  /** Writes the components' errors since the last beat into ZooKeeper, for `nimbus errors`. */
  async #reportErrors(): Promise<void> {
    let newest = this.#reportedUpTo;
    for (const errors of this.#runtime.lastErrors().values()) {
      for (const e of errors) {
        if (e.time <= this.#reportedUpTo) continue;
        newest = Math.max(newest, e.time);
        await this.#state$!.reportError(this.#o.topologyId, { component: e.component, task: e.task, worker: this.id, message: e.message, time: e.time }).catch((error: unknown) => this.#o.logger.warn(`error of ${e.component} not reported: ${messageOf(error)}`));
      }
    }
    this.#reportedUpTo = newest;
  }

  /** Drains in-flight tuples (within `drainMs`), then closes everything. Safe to call twice. */
  stop(why: string): Promise<void> {
    this.#stopping ??= (async () => {
      this.#state = 'stopping';
      this.#o.logger.info(`worker ${this.id} stopping: ${why}`);
      clearInterval(this.#beat);
      this.#watch?.unsubscribe();
      const report = await this.#runtime?.stop({ timeoutMs: this.#o.drainMs ?? 10_000 });
      if (report?.forced) this.#o.logger.warn(`worker ${this.id} stopped with ${report.inFlight} trees in flight: their spouts replay them`);
      await this.#transport?.close();
      await this.#metrics?.close();
      if (this.#runtime !== undefined && this.#state$ !== undefined) await this.#reportErrors().catch(() => {});
      this.#zk?.close();
      this.#state = 'stopped';
      this.#resolveStopped(why);
    })();
    return this.#stopping;
  }
}
