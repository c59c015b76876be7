/**
 * The supervisor daemon, one per machine. It registers its slots (worker ports) as an ephemeral
 * node, and keeps the worker processes of this machine matched to the assignments in ZooKeeper:
 * it starts a worker for each slot assigned to it, restarts one that exits while its slot is
 * still assigned (a crash, or a worker that stopped for a new epoch), and stops one whose slot
 * is no longer assigned to it: SIGTERM first (the worker drains), SIGKILL after `stopGraceMs`.
 *
 * Like Storm's Slot state machine, each slot takes one step per look: empty → starting (fetch
 * the bundle, spawn) → running → stopping → empty. A look runs on every change of the
 * assignments and every `lookMs`. Each worker's log is `<stateDir>/workers/<topology>-<port>.log`,
 * and each worker serves Prometheus metrics on its slot's port plus `metricsPortOffset`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Subscription } from 'rxjs';
import { type Logger, messageOf } from '../../core/index.js';
import type { BundleStore } from '../cluster/bundle-store.js';
import { ClusterState, DEFAULT_ZK_ROOT } from '../cluster/cluster-state.js';
import { ZkSession, reconnectUntilDone } from '../cluster/zk-session.js';
import { BUNDLE_SUFFIX, SQUALL_ROOT } from '../topology/bundle-loader.js';

/** A worker that exits within this long of its start counts as a crash in a row. */
const QUICK_CRASH_MS = 30_000;

export interface SupervisorOptions {
  readonly id: string;
  /** The address other workers reach this machine's workers at. */
  readonly host: string;
  readonly slots: readonly number[];
  /** Cpu this machine offers, in percent of a core. */
  readonly cpu: number;
  readonly memoryMb: number;
  readonly zookeeper: string;
  readonly zkRoot?: string;
  readonly stateDir: string;
  readonly bundles: BundleStore;
  readonly logger: Logger;
  /** @default 1000 */
  readonly lookMs?: number;
  /** How long a worker may drain after SIGTERM before SIGKILL. @default 15000 */
  readonly stopGraceMs?: number;
  /** @default 6000 */
  readonly sessionTimeoutMs?: number;
  /** Each worker serves /metrics on its slot's port plus this; 0 for none. @default 1000 */
  readonly metricsPortOffset?: number;
}

interface SlotWorker {
  readonly topologyId: string;
  readonly port: number;
  readonly child: ChildProcess;
  readonly startedAt: number;
  stopping: boolean;
  exited: boolean;
}

export class Supervisor {
  readonly #o: SupervisorOptions;
  readonly #workers = new Map<number, SlotWorker>();
  /** Consecutive quick exits per slot, for the restart backoff. */
  readonly #crashes = new Map<number, { count: number; until: number }>();
  #zk: ZkSession | undefined;
  #state: ClusterState | undefined;
  #subs: Subscription[] = [];
  #timer: NodeJS.Timeout | undefined;
  #looking: Promise<void> | undefined;
  #again = false;
  #closed = false;
  readonly startedAt = Date.now();

  constructor(options: SupervisorOptions) {
    this.#o = options;
    mkdirSync(join(options.stateDir, 'bundles'), { recursive: true });
    mkdirSync(join(options.stateDir, 'workers'), { recursive: true });
  }

  /** Worker processes by slot, for tests and status. */
  get workers(): ReadonlyMap<number, { topologyId: string; pid: number | undefined }> {
    return new Map([...this.#workers].map(([port, w]) => [port, { topologyId: w.topologyId, pid: w.child.pid }]));
  }

  async start(): Promise<void> {
    await this.#connect();
    this.#timer = setInterval(() => this.look(), this.#o.lookMs ?? 1_000);
  }

  async #connect(): Promise<void> {
    const o = this.#o;
    const sessionTimeoutMs = o.sessionTimeoutMs ?? 6_000;
    const zk = await ZkSession.connect({ connectionString: o.zookeeper, sessionTimeoutMs });
    const state = new ClusterState(zk, o.zkRoot ?? DEFAULT_ZK_ROOT);
    try {
      await state.init();
      // Started again at once, a supervisor finds its last session's node until that session times out.
      await state.registerSupervisor({ id: o.id, host: o.host, slots: o.slots, cpu: o.cpu, memoryMb: o.memoryMb, startedAt: this.startedAt }, sessionTimeoutMs * 2);
    } catch (error) {
      zk.close();
      throw error;
    }
    this.#zk = zk;
    this.#state = state;
    this.#subs.push(
      zk.watchChildren(state.paths.assignments).subscribe({ next: () => this.look(), error: (error: unknown) => o.logger.warn(`the assignments watch ended: ${messageOf(error)}; looking each second still`) }),
      zk.expired.subscribe(() => void this.#expired()),
    );
    o.logger.info(`supervisor ${o.id} registered ${o.slots.length} slots (${o.slots.join(', ')}) on ${o.host}`);
    this.look();
  }

  async #expired(): Promise<void> {
    this.#o.logger.warn('the ZooKeeper session expired: registering again (workers keep running)');
    for (const s of this.#subs) s.unsubscribe();
    this.#subs = [];
    this.#zk?.close();
    this.#state = undefined;
    await reconnectUntilDone(() => this.#connect(), { closed: () => this.#closed, logger: this.#o.logger });
  }

  /** Takes one step for every slot; looks asked for meanwhile are folded into one more. */
  look(): void {
    if (this.#closed) return;
    if (this.#looking !== undefined) {
      this.#again = true;
      return;
    }
    this.#looking = this.#look()
      .catch((error: unknown) => this.#o.logger.warn(`a look at the assignments failed: ${messageOf(error)}`))
      .finally(() => {
        this.#looking = undefined;
        if (this.#again) {
          this.#again = false;
          this.look();
        }
      });
  }

  /** Slot → topology, from every assignment that places executors on this supervisor. */
  async #wanted(): Promise<Map<number, string>> {
    const state = this.#state!;
    const wanted = new Map<number, string>();
    for (const id of await state.topologyIds()) {
      const a = await state.assignment(id);
      for (const p of Object.values(a?.executors ?? {})) if (p.supervisor === this.#o.id) wanted.set(p.port, id);
    }
    return wanted;
  }

  async #look(): Promise<void> {
    if (this.#state === undefined) return;
    const wanted = await this.#wanted();
    for (const port of this.#o.slots) {
      const want = wanted.get(port);
      const have = this.#workers.get(port);
      if (have !== undefined && have.topologyId !== want && !have.stopping) this.#stop(have, want === undefined ? 'its slot is no longer assigned' : `its slot now runs ${want}`);
      if (want !== undefined && have === undefined) {
        const backoff = this.#crashes.get(port);
        if (backoff !== undefined && backoff.until > Date.now()) continue;
        // One slot's failure (its bundle cannot be fetched, say) holds back no other slot.
        await this.#launch(want, port).catch((error: unknown) => this.#backOff(port, `worker ${this.#o.id}:${port} of ${want} could not start: ${messageOf(error)}`));
      }
    }
  }

  async #bundle(topologyId: string): Promise<string> {
    const file = join(this.#o.stateDir, 'bundles', `${topologyId}${BUNDLE_SUFFIX}`);
    if (!existsSync(file)) {
      const code = await this.#o.bundles.get(topologyId);
      writeFileSync(`${file}.tmp`, code);
      renameSync(`${file}.tmp`, file);
    }
    return file;
  }

  async #launch(topologyId: string, port: number): Promise<void> {
    const o = this.#o;
    const bundle = await this.#bundle(topologyId);
    const log = createWriteStream(join(o.stateDir, 'workers', `${topologyId}-${port}.log`), { flags: 'a' });
    await new Promise((r) => log.once('open', r));
    const args = ['--import', 'tsx', join(SQUALL_ROOT, 'worker/main.ts'), '--bundle', bundle, '--topology-id', topologyId, '--supervisor', o.id, '--port', String(port), '--zookeeper', o.zookeeper, '--zk-root', o.zkRoot ?? DEFAULT_ZK_ROOT];
    const offset = o.metricsPortOffset ?? 1000;
    if (offset > 0) args.push('--metrics-port', String(port + offset));
    // The cluster token stays with the daemons: a topology's code never sees it.
    const { SQUALL_TOKEN: _token, ...env } = process.env;
    const child = spawn(process.execPath, args, { cwd: SQUALL_ROOT, env, stdio: ['ignore', log, log] });
    child.on('error', (error) => o.logger.warn(`worker ${o.id}:${port} of ${topologyId} could not be spawned: ${messageOf(error)}`));
    const worker: SlotWorker = { topologyId, port, child, startedAt: Date.now(), stopping: false, exited: false };
    this.#workers.set(port, worker);
    o.logger.info(`started worker ${o.id}:${port} of ${topologyId} (pid ${child.pid})`);
    child.on('exit', (code, signal) => {
      worker.exited = true;
      log.end();
      if (this.#workers.get(port) === worker) this.#workers.delete(port);
      const how = signal !== null ? `by ${signal}` : `with code ${code}`;
      if (worker.stopping || code === 0) {
        this.#crashes.delete(port);
        o.logger.info(`worker ${o.id}:${port} of ${topologyId} exited ${how}`);
      } else {
        // A worker that dies soon after it started waits longer each time before the next start.
        if (Date.now() - worker.startedAt >= QUICK_CRASH_MS) this.#crashes.delete(port);
        this.#backOff(port, `worker ${o.id}:${port} of ${topologyId} exited ${how} (log: ${join(o.stateDir, 'workers', `${topologyId}-${port}.log`)})`);
      }
      this.look();
    });
  }

  /** Waits before the slot's next start: 0.5 s, doubling with each failure in a row, up to 30 s. */
  #backOff(port: number, why: string): void {
    const count = (this.#crashes.get(port)?.count ?? 0) + 1;
    const delay = Math.min(30_000, 500 * 2 ** (count - 1));
    this.#crashes.set(port, { count, until: Date.now() + delay });
    this.#o.logger.warn(`${why}; starting it again in ${delay} ms if its slot is still assigned`);
    setTimeout(() => this.look(), delay).unref();
  }

  #stop(worker: SlotWorker, why: string): Promise<void> {
    worker.stopping = true;
    this.#o.logger.info(`stopping worker ${this.#o.id}:${worker.port} of ${worker.topologyId}: ${why}`);
    return new Promise((resolve) => {
      if (worker.exited) return resolve();
      const force = setTimeout(() => {
        this.#o.logger.warn(`worker ${this.#o.id}:${worker.port} did not stop within ${this.#o.stopGraceMs ?? 15_000} ms: killing it`);
        worker.child.kill('SIGKILL');
      }, this.#o.stopGraceMs ?? 15_000);
      worker.child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      worker.child.kill('SIGTERM');
    });
  }

  /** Leaves the cluster: unregisters, and stops this machine's workers (draining each). */
  async stop(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    for (const s of this.#subs) s.unsubscribe();
    await this.#looking;
    this.#zk?.close();
    await Promise.all([...this.#workers.values()].map((w) => this.#stop(w, 'the supervisor is stopping')));
  }
}
