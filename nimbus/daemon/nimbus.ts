/**
 * The Nimbus daemon. Every Nimbus registers under `nimbuses/` and joins the leader election;
 * the leader alone changes the cluster: it takes submissions, kills and rebalances, and looks at
 * the cluster every `monitorMs` (and whenever a supervisor comes or goes) to place executors
 * whose worker or supervisor is gone. A standby answers reads and forwards writes to the leader
 * (http-api.ts).
 *
 * Nimbus holds nothing that ZooKeeper and the bundle store do not: any Nimbus can take over at
 * any time, and running topologies keep processing while none is up.
 *
 * A Nimbus whose ZooKeeper session expires stops leading first (the latch says so before
 * anything else), then connects again, registers again and rejoins the election.
 */
import { type Subscription } from 'rxjs';
import { type Logger, SquallError, messageOf } from '../../core/index.js';
import { type Assignment, type BundleDescription, type BundleStore, ClusterState, DEFAULT_ZK_ROOT, LeaderLatch, type SupervisorRecord, type TopologyRecord, ZkErrorCodes, ZkSession, executorsOf, reconnectUntilDone } from '../../worker/index.js';
import { parseSlot, schedule } from '../scheduler/even-scheduler.js';
import { describeBundle } from './describe.js';
import { type Timeouts, reconcile, usage } from './reconcile.js';

export const NimbusErrorCodes = Object.freeze({
  NOT_FOUND: 'SQUALL_ERR_TOPOLOGY_NOT_FOUND',
  NAME_TAKEN: 'SQUALL_ERR_TOPOLOGY_EXISTS',
  NO_SLOTS: 'SQUALL_ERR_NO_SLOTS',
  BAD_REQUEST: 'SQUALL_ERR_BAD_REQUEST',
  NOT_LEADER: 'SQUALL_ERR_NOT_LEADER',
} as const);

export interface NimbusOptions {
  readonly zookeeper: string;
  readonly zkRoot?: string;
  /** This Nimbus's address as clients reach it (`host:port`), its id in the election. */
  readonly address: string;
  readonly bundles: BundleStore;
  readonly logger: Logger;
  readonly version: string;
  /** How often the leader looks at the cluster, in ms. @default 1000 */
  readonly monitorMs?: number;
  readonly timeouts?: Partial<Timeouts>;
  /** @default 6000 */
  readonly sessionTimeoutMs?: number;
  /** Learns what a bundle holds; a child process by default. */
  readonly describe?: (code: string, config: Readonly<Record<string, unknown>>) => Promise<BundleDescription>;
}

export interface SubmitRequest {
  /** @default the name the topology file gives */
  readonly name?: string;
  readonly code: string;
  readonly workers?: number;
  readonly config?: Readonly<Record<string, unknown>>;
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
export const DEFAULT_TIMEOUTS: Timeouts = Object.freeze({ workerTimeoutMs: 10_000, workerStartTimeoutMs: 60_000 });

export class Nimbus {
  readonly #o: NimbusOptions;
  readonly #timeouts: Timeouts;
  readonly startedAt = Date.now();
  #zk: ZkSession | undefined;
  #state: ClusterState | undefined;
  #latch: LeaderLatch | undefined;
  #subs: Subscription[] = [];
  #timer: NodeJS.Timeout | undefined;
  /** The leader's supervisors watch. */
  #leading: Subscription | undefined;
  /** A look waits in the queue: asking again adds none. */
  #lookQueued = false;
  #looks = 0;
  #closed = false;
  /** One change of the cluster at a time: looks and user requests alike. */
  #serial: Promise<unknown> = Promise.resolve();
  /** Refusals already reported, so a topology that cannot be placed is said once per reason. */
  readonly #said = new Map<string, string>();

  constructor(options: NimbusOptions) {
    this.#o = options;
    this.#timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  }

  get address(): string {
    return this.#o.address;
  }

  get isLeader(): boolean {
    return this.#latch?.isLeader ?? false;
  }

  /** The cluster state; throws while this Nimbus has no session. */
  get state(): ClusterState {
    if (this.#state === undefined) throw new SquallError(ZkErrorCodes.CONNECT, 'this Nimbus has no ZooKeeper session right now: retry in a few seconds', { retriable: true });
    return this.#state;
  }

  get bundles(): BundleStore {
    return this.#o.bundles;
  }

  get version(): string {
    return this.#o.version;
  }

  async start(): Promise<void> {
    await this.#connect();
  }

  async #connect(): Promise<void> {
    const o = this.#o;
    const sessionTimeoutMs = o.sessionTimeoutMs ?? 6_000;
    const zk = await ZkSession.connect({ connectionString: o.zookeeper, sessionTimeoutMs });
    try {
      const state = new ClusterState(zk, o.zkRoot ?? DEFAULT_ZK_ROOT);
      await state.init();
      // A Nimbus started again at once finds its last session's node until that session times out.
      await state.registerNimbus({ address: o.address, startedAt: this.startedAt, version: o.version }, sessionTimeoutMs * 2);
      const latch = await LeaderLatch.join(zk, state.paths.leaderLock, o.address);
      this.#zk = zk;
      this.#state = state;
      this.#latch = latch;
    } catch (error) {
      // Nothing of a half-made session may stay behind: its ephemeral nodes would block the next try.
      zk.close();
      throw error;
    }
    this.#subs.push(
      this.#latch.leading.subscribe((leading) => {
        o.logger.info(leading ? `Nimbus ${o.address} leads` : `Nimbus ${o.address} does not lead`);
        if (leading) this.#lead();
        else this.#follow();
      }),
      zk.expired.subscribe(() => void this.#expired()),
    );
  }

  async #expired(): Promise<void> {
    this.#follow();
    this.#o.logger.warn('the ZooKeeper session expired: this Nimbus stopped leading, and connects again');
    for (const s of this.#subs) s.unsubscribe();
    this.#subs = [];
    this.#zk?.close();
    this.#state = undefined;
    this.#latch = undefined;
    await reconnectUntilDone(() => this.#connect(), { closed: () => this.#closed, logger: this.#o.logger });
  }

  #lead(): void {
    this.#follow();
    this.#timer = setInterval(() => void this.look(), this.#o.monitorMs ?? 1_000);
    this.#leading = this.state.watchSupervisors().subscribe({ next: () => void this.look(), error: (error: unknown) => this.#o.logger.warn(`the supervisors watch ended: ${messageOf(error)}; looking each second still`) });
    void this.look();
  }

  #follow(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#leading?.unsubscribe();
    this.#leading = undefined;
  }

  /** Runs `fn` after every change of the cluster begun before it. */
  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#serial.then(fn, fn);
    this.#serial = next.catch(() => {});
    return next;
  }

  #mustLead(): void {
    if (!this.isLeader) throw new SquallError(NimbusErrorCodes.NOT_LEADER, `Nimbus ${this.#o.address} is not the leader`);
  }

  /** One look at the cluster: finishes kills, and places what must be placed again. */
  look(): Promise<void> {
    if (this.#lookQueued) return this.#serial.then(() => {});
    this.#lookQueued = true;
    return this.#exclusive(async () => {
      this.#lookQueued = false;
      if (!this.isLeader) return;
      try {
        await this.#look();
        if (++this.#looks % 60 === 1) await this.#sweepBundles();
      } catch (error) {
        this.#o.logger.warn(`a look at the cluster failed: ${messageOf(error)}`);
      }
    });
  }

  /** Deletes bundles no topology refers to (left by a Nimbus that died in a submit or a kill). */
  async #sweepBundles(): Promise<void> {
    const ids = new Set(await this.state.topologyIds());
    for (const key of await this.#o.bundles.list()) {
      if (ids.has(key)) continue;
      // A submission stores its bundle before it registers the topology: leave recent ones.
      if (Date.now() - bundleTime(key) < 10 * 60_000) continue;
      await this.#o.bundles.delete(key);
      this.#o.logger.info(`deleted the bundle of ${key}: no topology refers to it`);
    }
  }

  async #look(): Promise<void> {
    const state = this.state;
    const supervisors = await state.supervisors();
    const records = await this.#records();
    const assignments = await this.#assignments(records);
    const now = Date.now();
    await state.removeLeftovers(new Set(records.map((r) => r.id)));
    for (const record of records) {
      if (!this.isLeader) return;
      if (record.status === 'killed') {
        if ((record.killAt ?? 0) <= now) await this.#remove(record);
        continue;
      }
      const { taken, used } = usage(records, assignments, record.id);
      const decision = reconcile({ record, assignment: assignments.get(record.id), supervisors, beats: await state.workerBeats(record.id), taken, used, now, timeouts: this.#timeouts });
      if (decision.kind === 'keep') {
        this.#said.delete(record.id);
        continue;
      }
      if (decision.kind === 'refused') {
        if (this.#said.get(record.id) !== decision.why) this.#o.logger.warn(`topology '${record.name}' (${record.id}): ${decision.why}`);
        this.#said.set(record.id, decision.why);
        continue;
      }
      const stale = Symbol('stale');
      const a = await state
        .assign(record.id, (current) => {
          // Written only over what it was decided from: another writer's change is looked at again.
          if ((current?.epoch ?? 0) !== decision.basedOn) throw stale;
          return decision.placement;
        }, record.executors)
        .catch((error: unknown) => (error === stale ? undefined : Promise.reject(error)));
      if (a === undefined) continue;
      assignments.set(record.id, a);
      this.#said.delete(record.id);
      this.#o.logger.info(`topology '${record.name}' (${record.id}) assigned under epoch ${a.epoch}: ${decision.why}`);
    }
  }

  async #remove(record: TopologyRecord): Promise<void> {
    await this.state.removeTopology(record.id);
    await this.#o.bundles.delete(record.id).catch((error: unknown) => this.#o.logger.warn(`the bundle of ${record.id} was not deleted: ${messageOf(error)}`));
    this.#o.logger.info(`topology '${record.name}' (${record.id}) killed and removed`);
  }

  /** The record of a topology named `nameOrId` (a name, or an id). */
  async find(nameOrId: string): Promise<TopologyRecord> {
    const state = this.state;
    const byId = await state.topology(nameOrId);
    if (byId !== undefined) return byId;
    for (const id of await state.topologyIds()) {
      const r = await state.topology(id);
      if (r?.name === nameOrId) return r;
    }
    throw new SquallError(NimbusErrorCodes.NOT_FOUND, `no topology named '${nameOrId}' runs: see 'nimbus list'`);
  }

  async submit(request: SubmitRequest): Promise<{ record: TopologyRecord; assignment: Assignment }> {
    this.#mustLead();
    const config = request.config ?? {};
    const checkName = (name: string) => {
      if (!NAME.test(name)) throw new SquallError(NimbusErrorCodes.BAD_REQUEST, `a topology name is 1 to 64 letters, digits, '_' and '-', got '${name}': submit with --name`);
    };
    if (request.name !== undefined) checkName(request.name);
    const workers = request.workers ?? 1;
    if (!(Number.isInteger(workers) && workers >= 1)) throw new SquallError(NimbusErrorCodes.BAD_REQUEST, `workers must be a whole number of at least 1, got ${String(request.workers)}`);
    // Loading the bundle takes seconds: outside the lock, so looks at the cluster go on meanwhile.
    const description = await (this.#o.describe ?? describeBundle)(request.code, config);
    const name = request.name ?? description.name;
    checkName(name);
    return this.#exclusive(async () => {
      this.#mustLead();
      const state = this.state;
      const records = await this.#records();
      if (records.some((r) => r.name === name)) throw new SquallError(NimbusErrorCodes.NAME_TAKEN, `a topology named '${name}' is already running: kill it first (nimbus kill ${name}) or submit under another --name`);
      // Placed before anything is stored or registered: a refusal leaves nothing behind.
      const { taken, used } = usage(records, await this.#assignments(records), '');
      const plan = schedule({ executors: executorsOf(description).map((e) => ({ id: e.id, cpu: e.cpu, memoryMb: e.memoryMb })), workers, supervisors: await state.supervisors(), taken, used });
      if ('refused' in plan) throw new SquallError(NimbusErrorCodes.NO_SLOTS, `topology '${name}' ${plan.refused}`);
      const id = `${name}-${Date.now().toString(36)}`;
      const record: TopologyRecord = { id, name, status: 'active', workers, executors: {}, components: description.components, bundle: '', config, launchedAt: Date.now() };
      let registered = false;
      try {
        const bundle = await this.#o.bundles.put(id, request.code);
        await state.putTopology({ ...record, bundle });
        registered = true;
        const assignment = await state.assign(id, () => Object.fromEntries([...plan.placement].map(([e, slot]) => [e, parseSlot(slot)])));
        this.#o.logger.info(`topology '${name}' submitted as ${id} on ${plan.slots.length} workers (epoch ${assignment.epoch})`);
        return { record: { ...record, bundle }, assignment };
      } catch (error) {
        // The bundle goes only once the topology is surely gone; else the bundle sweep takes it later.
        const gone = !registered || (await state.removeTopology(id).then(() => true, () => false));
        if (gone) await this.#o.bundles.delete(id).catch(() => {});
        throw error;
      }
    });
  }

  async #records(): Promise<TopologyRecord[]> {
    const state = this.state;
    return (await Promise.all((await state.topologyIds()).map((id) => state.topology(id)))).filter((r) => r !== undefined);
  }

  async #assignments(records: readonly TopologyRecord[]): Promise<Map<string, Assignment>> {
    const assignments = new Map<string, Assignment>();
    for (const r of records) {
      const a = await this.state.assignment(r.id);
      if (a !== undefined) assignments.set(r.id, a);
    }
    return assignments;
  }

  /** Marks a topology killed; its workers stop after `waitSeconds`, then its state and bundle go. */
  kill(nameOrId: string, waitSeconds: number): Promise<TopologyRecord> {
    return this.#exclusive(async () => {
      this.#mustLead();
      const record = await this.find(nameOrId);
      const killed = await this.state.updateTopology(record.id, (r) => ({ ...r, status: 'killed', killAt: Date.now() + waitSeconds * 1000 }));
      if (killed === undefined) throw new SquallError(NimbusErrorCodes.NOT_FOUND, `topology '${nameOrId}' is gone`);
      if (waitSeconds <= 0) await this.#remove(killed);
      return killed;
    });
  }

  /** Activates or deactivates a topology's spouts. */
  setActive(nameOrId: string, active: boolean): Promise<TopologyRecord> {
    return this.#exclusive(async () => {
      this.#mustLead();
      const record = await this.find(nameOrId);
      if (record.status === 'killed') throw new SquallError(NimbusErrorCodes.BAD_REQUEST, `topology '${record.name}' is being killed`);
      return (await this.state.updateTopology(record.id, (r) => ({ ...r, status: active ? 'active' : 'inactive' })))!;
    });
  }

  /** Changes a topology's worker count and executors per component, then places it again. */
  rebalance(nameOrId: string, change: { workers?: number; executors?: Readonly<Record<string, number>> }): Promise<TopologyRecord> {
    return this.#exclusive(async () => {
      this.#mustLead();
      const record = await this.find(nameOrId);
      if (record.status === 'killed') throw new SquallError(NimbusErrorCodes.BAD_REQUEST, `topology '${record.name}' is being killed`);
      if (change.workers !== undefined && !(Number.isInteger(change.workers) && change.workers >= 1)) throw new SquallError(NimbusErrorCodes.BAD_REQUEST, `workers must be a whole number of at least 1, got ${change.workers}`);
      for (const [id, n] of Object.entries(change.executors ?? {})) {
        const c = record.components.find((x) => x.id === id);
        if (c === undefined) throw new SquallError(NimbusErrorCodes.BAD_REQUEST, `topology '${record.name}' has no component '${id}' (it has ${record.components.map((x) => x.id).join(', ')})`);
        if (!(Number.isInteger(n) && n >= 1 && n <= c.tasks)) throw new SquallError(NimbusErrorCodes.BAD_REQUEST, `component '${id}' can run on 1 to ${c.tasks} executors (its tasks), not ${n}`);
      }
      const next: TopologyRecord = { ...record, workers: change.workers ?? record.workers, executors: { ...record.executors, ...change.executors } };
      // Refused before anything is written when the new counts do not fit.
      const records = await this.#records();
      const { taken, used } = usage(records, await this.#assignments(records), record.id);
      const executors = executorsOf({ name: next.name, components: next.components }, next.executors).map((e) => ({ id: e.id, cpu: e.cpu, memoryMb: e.memoryMb }));
      const plan = schedule({ executors, workers: next.workers, supervisors: await this.state.supervisors(), taken, used });
      if ('refused' in plan) throw new SquallError(NimbusErrorCodes.NO_SLOTS, `topology '${record.name}' cannot be rebalanced: it ${plan.refused}`);
      return (await this.state.updateTopology(record.id, (r) => ({ ...r, workers: next.workers, executors: next.executors })))!;
    }).then(async (r) => {
      await this.look();
      return r;
    });
  }

  /** The address of the Nimbus that leads now, or undefined during an election. */
  async leader(): Promise<string | undefined> {
    if (this.isLeader) return this.#o.address;
    if (this.#zk === undefined || this.#state === undefined) return undefined;
    return LeaderLatch.leader(this.#zk, this.state.paths.leaderLock);
  }

  /** Live supervisors. */
  supervisors(): Promise<SupervisorRecord[]> {
    return this.state.supervisors();
  }

  async stop(): Promise<void> {
    this.#closed = true;
    this.#follow();
    for (const s of this.#subs) s.unsubscribe();
    await this.#latch?.close();
    this.#zk?.close();
  }
}

/** When a topology id (`<name>-<launch time in base 36>`) was made; 0 when it is not one. */
function bundleTime(id: string): number {
  const t = parseInt(id.slice(id.lastIndexOf('-') + 1), 36);
  return Number.isFinite(t) ? t : 0;
}
