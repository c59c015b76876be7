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
import { type Subscription, skip } from 'rxjs';
import { type ComponentError, type Logger, type TopologyDefinition, SquallError, TopologyRuntime, messageOf } from '../core/index.js';
import { type Assignment, ClusterState } from './cluster/cluster-state.js';
import { ZkErrorCodes, ZkSession, isZkError } from './cluster/zk-session.js';
import { WorkerTransport } from './transport/worker-transport.js';

export interface WorkerProcessOptions {
  readonly topology: TopologyDefinition;
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
    const hosts = new Map((await cluster.supervisors()).map((s) => [s.id, s.host]));
    const probe = new TopologyRuntime({ topology: o.topology });
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
    });
    await this.#transport.listen({ host: hosts.get(o.supervisor) ?? '127.0.0.1', port: o.port });
    const hosted = new Set(mine);
    this.#runtime = new TopologyRuntime({
      topology: o.topology,
      ...(o.config === undefined ? {} : { config: o.config }),
      logger: o.logger,
      hosted: (layout) => layout.executors.filter((e) => hosted.has(e.id)),
      remoteEndpoint: (task) => this.#transport.endpoint(task),
      remoteAcks: this.#transport.acks(),
    });
    this.#transport.attach(this.#runtime);
    if (!(await this.#transport.untilConnected(o.connectTimeoutMs ?? 30_000))) {
      o.logger.warn(`not every peer worker answered within ${o.connectTimeoutMs ?? 30_000} ms; starting anyway (tuples for a missing peer fail and are replayed)`);
    }
    await this.#runtime.start();
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
    this.#watch = cluster
      .watchAssignment(o.topologyId)
      .pipe(skip(1))
      .subscribe({ next: (a) => this.#assignmentChanged(a), complete: () => void this.stop('the ZooKeeper session expired') });
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
    const beat = { worker: this.id, epoch: this.#epoch, time: Date.now(), components: stats.components, pending: stats.pending };
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
      this.#zk?.close();
      this.#state = 'stopped';
      this.#resolveStopped(why);
    })();
    return this.#stopping;
  }
}
