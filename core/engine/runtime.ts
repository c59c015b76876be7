/**
 * Runs a topology's executors in one process: local mode runs them all, a cluster worker the
 * ones assigned to it. A cooperative scheduler gives each executor a batch per round and yields
 * to the event loop between rounds, so I/O, timers and other topologies keep running.
 *
 * States: created → starting → running → draining → stopped (or failed, if start failed).
 */
import { compileTopologyConfig, type TopologyConfig } from '../config.js';
import { ErrorCodes, SquallError } from '../errors.js';
import { type Logger, nullLogger } from '../logger.js';
import { type ComponentError, ComponentErrors } from './component-errors.js';
import { Conditions } from './conditions.js';
import { MetricRegistry } from '../metrics/registry.js';
import { assertValidTopology } from '../topology/validate.js';
import type { TopologyDefinition } from '../topology/types.js';
import type { FlushReason } from '../bolt.js';
import type { FailReason } from '../tuple.js';
import { Acker } from './acker.js';
import type { BoltExecutor } from './bolt-executor.js';
import type { AckRoute, ExecutorHost } from './host.js';
import { computeLayout, type ExecutorLayout, type TopologyLayout, topologicalOrder } from './layout.js';
import { runHook, setSpoutsActive } from './lifecycle.js';
import { type RuntimeStats, snapshotStats } from './stats.js';
import type { SpoutExecutor } from './spout-executor.js';
import { Ticks } from './ticks.js';
import { BoltThreads } from './bolt-threads.js';
import { wire, type Wiring } from './wiring.js';
import { applyAcks, checkRemoteTasks, engineEndpoint, type RemoteTaskOptions, RoutedAcks, tupleFromWire } from './remote-tasks.js';
import type { WireAck, WireTuple } from './wire-codec.js';

export type RuntimeState = 'created' | 'starting' | 'running' | 'draining' | 'stopped' | 'failed';

export interface RuntimeOptions extends RemoteTaskOptions {
  readonly topology: TopologyDefinition;
  /** Config layered over the topology's own (for example `-c key=value`). */
  readonly config?: Readonly<Record<string, unknown>>;
  readonly logger?: Logger;
  readonly metrics?: MetricRegistry;
  /** Picks the executors this process hosts. @default all of them (local mode) */
  readonly hosted?: (layout: TopologyLayout) => readonly ExecutorLayout[];
}

export interface StopOptions {
  /** How long to drain before stopping by force. @default config.shutdownTimeoutMs */
  readonly timeoutMs?: number;
}

export interface StopReport {
  /** True when the deadline passed with tuples still in flight. */
  readonly forced: boolean;
  /** Tuple trees still in flight when the runtime stopped (to be replayed by their source). */
  readonly inFlight: number;
  readonly durationMs: number;
}


export class TopologyRuntime implements ExecutorHost, AckRoute {
  readonly topology: TopologyDefinition;
  readonly topologyName: string;
  readonly config: TopologyConfig;
  readonly logger: Logger;
  readonly metrics: MetricRegistry;
  readonly acker: Acker;
  /** Acks go to this runtime's acker, or, for roots of spout tasks hosted elsewhere, to `remoteAcks`. */
  readonly ackRoute: AckRoute;
  readonly layout: TopologyLayout;
  /** Spout tasks hosted here: the roots this runtime's acker holds. */
  readonly #localRoots: ReadonlySet<number>;
  now = performance.now();
  #state: RuntimeState = 'created';
  #wiring: Wiring | undefined;
  #order: { spouts: SpoutExecutor[]; bolts: BoltExecutor[]; boltsUpstreamFirst: BoltExecutor[] } = { spouts: [], bolts: [], boltsUpstreamFirst: [] };
  #scheduled = false;
  #idleTimer: NodeJS.Timeout | undefined;
  #stallTimer: NodeJS.Timeout | undefined;
  #timers: NodeJS.Timeout[] = [];
  readonly #conditions = new Conditions();
  readonly #errors: ComponentErrors;
  readonly #ticks = new Ticks();
  readonly #held = new Map<string, Error>();
  readonly #stopSignal = new AbortController();
  /** Aborts when the runtime starts to stop. */
  readonly stopping = this.#stopSignal.signal;
  #flushing = false;
  #flushedAt = -1;
  readonly #threads: BoltThreads;
  #stopping: Promise<StopReport> | undefined;
  #componentOrder: string[] = [];
  #resolveCompletion!: () => void;
  /** Resolves when every spout is exhausted, every tuple acked and every bolt flushed. */
  readonly completion: Promise<void>;
  #resolveFailure!: (error: ComponentError) => void;
  #failed: ComponentError | undefined;
  /**
   * Resolves with the first error a task reported as fatal (`reportFatalError`): the topology
   * cannot go on as it should, and whoever runs it should stop it and say why. Never rejects.
   */
  readonly failure: Promise<ComponentError>;

  constructor(options: RuntimeOptions) {
    assertValidTopology(options.topology);
    this.topology = options.topology;
    this.topologyName = options.topology.name;
    this.config = compileTopologyConfig(options.topology.config, options.config);
    this.logger = options.logger ?? nullLogger;
    this.metrics = options.metrics ?? new MetricRegistry();
    this.layout = computeLayout(options.topology);
    this.acker = new Acker((task) => this.layout.componentOfTask.get(task)?.id ?? `task ${task}`);
    this.#errors = new ComponentErrors(this.topologyName, this.metrics, this.logger);
    for (const c of this.topology.components) this.#errors.register(c.id);
    this.completion = new Promise((resolve) => (this.#resolveCompletion = resolve));
    this.failure = new Promise((resolve) => (this.#resolveFailure = resolve));
    const hosted = options.hosted?.(this.layout) ?? this.layout.executors;
    checkRemoteTasks(this.topologyName, this.layout, hosted, options);
    this.#localRoots = new Set(hosted.filter((e) => e.component.kind === 'spout').flatMap((e) => e.tasks));
    // Local mode hosts every executor: acks go straight to the acker, with no routing on the way.
    this.ackRoute = options.remoteAcks === undefined ? this : new RoutedAcks(this.acker, this.#localRoots, options.remoteAcks);
    this.#threads = new BoltThreads(hosted.map((e) => e.component), this.logger);
    this.#wiring = wire({ topology: this.topology, layout: this.layout, hosted, host: this, metrics: this.metrics, threads: this.#threads, ...(options.remoteEndpoint === undefined ? {} : { remoteEndpoint: (task: number) => engineEndpoint(options.remoteEndpoint!(task)) }) });
    const ordered = topologicalOrder(this.topology);
    this.#componentOrder = ordered.map((c) => c.id);
    const rank = new Map(ordered.map((c, i) => [c.id, i]));
    const byRank = (a: { tasks: readonly { context: { componentId: string } }[] }) => rank.get(a.tasks[0]!.context.componentId)!;
    const upstreamFirst = [...this.#wiring.bolts].sort((a, b) => byRank(a) - byRank(b));
    this.#order = { spouts: this.#wiring.spouts, bolts: [...upstreamFirst].reverse(), boltsUpstreamFirst: upstreamFirst };
  }

  get state(): RuntimeState {
    return this.#state;
  }

  /** Prepares bolts, opens and activates spouts (unless `active` is false), and starts scheduling. */
  async start(options: { active?: boolean } = {}): Promise<void> {
    if (this.#state !== 'created') throw new SquallError(ErrorCodes.COMPONENT_LIFECYCLE, `runtime of '${this.topologyName}' was already started`);
    this.#state = 'starting';
    try {
      this.#threads.start();
      for (const b of this.#order.boltsUpstreamFirst) for (const t of b.tasks) await runHook(t.context, 'prepare', () => t.bolt.prepare?.(t.context, t));
      for (const s of this.#order.spouts) for (const t of s.tasks) await runHook(t.context, 'open', () => t.spout.open?.(t.context, t));
    } catch (error) {
      this.#state = 'failed';
      await this.#threads.stop();
      throw error;
    }
    const sweepMs = Acker.sweepIntervalMs(this.config.messageTimeoutMs);
    this.#timers.push(setInterval(() => this.#sweep(), sweepMs));
    this.#ticks.start(this.#wiring!.bolts, this.layout);
    this.#state = 'running';
    if (options.active !== false) await setSpoutsActive(this.#order.spouts, true);
    this.wake();
  }

  /** Deactivates the spouts (they stop emitting; what is in flight completes), or activates them again. */
  async setActive(active: boolean): Promise<void> {
    if (this.#state !== 'running') return;
    await setSpoutsActive(this.#order.spouts, active, { onError: (error) => this.reportError((error as SquallError).component ?? 'spout', 0, error) });
    this.wake();
  }

  wake(): void {
    if (this.#scheduled || this.#state === 'stopped' || this.#state === 'created' || this.#state === 'failed') return;
    this.#scheduled = true;
    setImmediate(this.#round);
  }

  ack(_rootTask: number, rootId: number, hi: number, lo: number): void {
    this.acker.ack(rootId, hi, lo);
  }

  fail(_rootTask: number, rootId: number, reason: FailReason): void {
    this.acker.fail(rootId, reason);
  }

  /**
   * Delivers tuples that arrived from another runtime to the inboxes of the tasks they are for.
   * Each must be for a bolt task hosted here, on a stream the topology declares.
   */
  deliver(tuples: readonly WireTuple[]): void {
    const wiring = this.#wiring!;
    for (const w of tuples) {
      const inbox = wiring.inboxOfTask.get(w.dest);
      const schema = wiring.schemas.get(w.component)?.get(w.stream);
      if (inbox === undefined || schema === undefined) {
        throw new SquallError(ErrorCodes.INVALID_EMIT, `a tuple of '${w.component}' stream '${w.stream}' arrived for task ${w.dest}, which ${inbox === undefined ? 'this runtime does not host as a bolt task' : 'has no such input stream'}`);
      }
      inbox.push(tupleFromWire(w, schema));
    }
  }

  /**
   * True while the inboxes of `tasks` (bolt tasks hosted here) are below half their capacity: a
   * transport grants a peer more credit for tuples it delivered to them only then, so a slow task
   * slows its senders, and only them.
   */
  hasRoomFor(tasks: ReadonlySet<number>): boolean {
    const inboxes = this.#wiring!.inboxOfTask;
    for (const task of tasks) {
      const inbox = inboxes.get(task);
      if (inbox !== undefined && inbox.size >= inbox.capacity / 2) return false;
    }
    return true;
  }

  /** Applies acks and fails that arrived from other runtimes for roots of spout tasks hosted here. */
  deliverAcks(acks: readonly WireAck[]): void {
    applyAcks(this.acker, this.#localRoots, acks);
    this.wake();
  }

  reportError(component: string, task: number, error: unknown): void {
    this.#errors.report(component, task, error);
  }

  /** A task cannot go on: recorded and logged as an error, and the runtime's `failure` resolves (the first time). */
  reportFatalError(component: string, task: number, error: unknown): void {
    const entry = this.#errors.reportFatal(component, task, error);
    if (this.#failed !== undefined) return;
    this.#failed = entry;
    this.#resolveFailure(entry);
  }

  /** Pauses message timeouts while any task holds its input (see `OutputCollector.holdInput`). */
  holdInput(component: string, task: number, cause: Error | undefined): void {
    const key = `${component}[${task}]`;
    if (cause === undefined) this.#held.delete(key);
    else this.#held.set(key, cause);
  }

  /** The tasks that hold their input now, and why, as `component[task]`. */
  held(): ReadonlyMap<string, Error> {
    return this.#held;
  }

  /** The last errors of each component, newest last. */
  lastErrors(): ReadonlyMap<string, readonly ComponentError[]> {
    return this.#errors.last();
  }

  stats(): RuntimeStats {
    return snapshotStats(this.#wiring!, this.acker.pending, this.#componentOrder);
  }

  /** Drains in-flight tuples until the deadline, then stops by force. Safe to call twice. */
  stop(options: StopOptions = {}): Promise<StopReport> {
    this.#stopping ??= this.#stop(options.timeoutMs ?? this.config.shutdownTimeoutMs);
    return this.#stopping;
  }

  #round = (): void => {
    this.#scheduled = false;
    if (this.#state !== 'running' && this.#state !== 'draining') return;
    if (this.#idleTimer !== undefined) {
      clearTimeout(this.#idleTimer);
      this.#idleTimer = undefined;
    }
    const now = (this.now = performance.now());
    let progress = false;
    for (const b of this.#order.bolts) if (b.step()) progress = true;
    for (const s of this.#order.spouts) if (s.step(now)) progress = true;
    if (progress) {
      if (this.#stallTimer !== undefined) {
        clearTimeout(this.#stallTimer);
        this.#stallTimer = undefined;
      }
      this.wake();
    } else {
      this.#idle(now);
    }
    if (this.#conditions.waiting) this.#conditions.check();
  };

  #idle(now: number): void {
    let next = Infinity;
    for (const s of this.#order.spouts) {
      if (s.active && !s.busy && s.blockedBy === 0 && s.idleUntil > now) next = Math.min(next, s.idleUntil);
    }
    if (next !== Infinity) this.#idleTimer = setTimeout(() => this.wake(), Math.max(1, next - now));
    if (this.#state !== 'running' || !this.#quiet()) return;
    if (this.#order.spouts.every((s) => s.exhausted())) this.#finishInput();
    else if (this.#stallTimer === undefined && !this.#flushing && this.#spoutsStarved()) {
      this.#stallTimer = setTimeout(() => {
        this.#stallTimer = undefined;
        if (this.#state !== 'running' || this.#flushing || !this.#quiet() || !this.#spoutsStarved()) return;
        this.#flushing = true;
        void this.#flushAll('stalled').finally(() => {
          this.#flushing = false;
          this.wake();
        });
      }, this.config.stallFlushMs);
    }
  }

  /** Some spout is held back only by maxSpoutPending: its trees wait in bolts that hold them. */
  #spoutsStarved(): boolean {
    if (!this.config.acking) return false;
    return this.#order.spouts.some((s) => s.active && s.tasks.some((t) => t.pending >= this.config.maxSpoutPending));
  }

  /** No queued tuple, no execute or poll in progress. */
  #quiet(): boolean {
    for (const b of this.#order.bolts) if (b.busy || b.inbox.size > 0) return false;
    for (const s of this.#order.spouts) if (s.busy) return false;
    return true;
  }

  #activity(): number {
    const s = this.stats();
    let n = -this.#ticks.delivered;
    for (const c of Object.values(s.components)) n += c.executed + c.emitted;
    return n;
  }

  /** All input is consumed: flush the bolts, and complete once nothing is left in flight. */
  #finishInput(): void {
    if (this.#flushing) return;
    const activity = this.#activity();
    if (activity === this.#flushedAt) {
      if (this.acker.pending === 0) this.#resolveCompletion();
      return;
    }
    this.#flushing = true;
    void this.#flushAll('end-of-input').finally(() => {
      this.#flushedAt = this.#activity();
      this.#flushing = false;
      this.wake();
    });
  }

  /**
   * Flushes bolts upstream first, draining the queues after each, so what a flush emits reaches
   * the next bolt before that one is flushed.
   */
  async #flushAll(reason: FlushReason, deadline = Infinity): Promise<void> {
    for (const b of this.#order.boltsUpstreamFirst) {
      for (const t of b.tasks) {
        try {
          await t.bolt.flush?.(reason);
        } catch (error) {
          t.reportError(error);
        }
      }
      await this.#waitFor(() => this.#quiet(), deadline);
    }
  }

  #waitFor(check: () => boolean, deadline: number): Promise<boolean> {
    return this.#conditions.waitFor(check, deadline, () => this.wake());
  }

  #sweep(): void {
    // A task holding its input (storage full) holds every tree behind it: their clocks stop too.
    if (this.#held.size > 0) return;
    if (this.acker.sweep(this.config.messageTimeoutMs) > 0) this.wake();
  }

  async #stop(timeoutMs: number): Promise<StopReport> {
    const started = performance.now();
    const deadline = started + timeoutMs;
    if (this.#state === 'created' || this.#state === 'failed') {
      this.#state = 'stopped';
      return { forced: false, inFlight: 0, durationMs: 0 };
    }
    this.#state = 'draining';
    this.#stopSignal.abort();
    await setSpoutsActive(this.#order.spouts, false, { deadline, onError: () => {} });
    let drained = await this.#waitFor(() => this.#quiet() && !this.#flushing, deadline);
    if (drained) {
      // A run that completed was flushed already; flush again only if something happened since.
      if (this.#activity() !== this.#flushedAt) await this.#flushAll('shutdown', deadline);
      drained = await this.#waitFor(() => this.#quiet() && this.acker.pending === 0, deadline);
    }
    this.#state = 'stopped';
    for (const t of this.#timers) clearInterval(t);
    this.#ticks.stop();
    if (this.#idleTimer !== undefined) clearTimeout(this.#idleTimer);
    if (this.#stallTimer !== undefined) clearTimeout(this.#stallTimer);
    const inFlight = this.acker.pending;
    if (!drained) {
      this.logger.warn(`shutdown deadline of ${timeoutMs} ms passed with ${inFlight} tuple trees in flight; stopping by force (their sources will replay them)`);
      this.acker.clear();
      for (const b of this.#order.bolts) b.inbox.drain();
    }
    const closeDeadline = Math.max(deadline, performance.now() + 1000);
    for (const s of this.#order.spouts) for (const t of s.tasks) await runHook(t.context, 'close', () => t.spout.close?.(), closeDeadline).catch(() => {});
    for (const b of this.#order.boltsUpstreamFirst) for (const t of b.tasks) await runHook(t.context, 'cleanup', () => t.bolt.cleanup?.(), closeDeadline).catch(() => {});
    this.#conditions.abandon();
    await this.#threads.stop();
    return { forced: !drained, inFlight: drained ? 0 : inFlight, durationMs: performance.now() - started };
  }
}
