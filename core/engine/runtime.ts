/**
 * Runs a topology's executors in one process: local mode runs them all, a cluster worker the
 * ones assigned to it. A cooperative scheduler gives each executor a batch per round and yields
 * to the event loop between rounds, so I/O, timers and other topologies keep running.
 *
 * States: created → starting → running → draining → stopped (or failed, if start failed).
 */
import { compileTopologyConfig, type TopologyConfig } from '../config.js';
import { ErrorCodes, SquallError, messageOf } from '../errors.js';
import { type Logger, nullLogger } from '../logger.js';
import { MetricRegistry } from '../metrics/registry.js';
import { assertValidTopology } from '../topology/validate.js';
import type { TopologyDefinition } from '../topology/types.js';
import type { FlushReason } from '../bolt.js';
import type { FailReason } from '../tuple.js';
import { Acker } from './acker.js';
import type { BoltExecutor } from './bolt-executor.js';
import type { AckRoute, ExecutorHost } from './host.js';
import { computeLayout, type ExecutorLayout, type TopologyLayout, topologicalOrder } from './layout.js';
import { runHook } from './lifecycle.js';
import { type RuntimeStats, snapshotStats } from './stats.js';
import type { SpoutExecutor } from './spout-executor.js';
import { TICK_SCHEMA, wire, type Wiring } from './wiring.js';
import { TupleImpl } from './tuple-impl.js';

export type RuntimeState = 'created' | 'starting' | 'running' | 'draining' | 'stopped' | 'failed';

export interface RuntimeOptions {
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

export interface ComponentError {
  readonly component: string;
  readonly task: number;
  readonly message: string;
  readonly code: string | undefined;
  readonly time: number;
}

const LAST_ERRORS = 10;

export class TopologyRuntime implements ExecutorHost, AckRoute {
  readonly topology: TopologyDefinition;
  readonly topologyName: string;
  readonly config: TopologyConfig;
  readonly logger: Logger;
  readonly metrics: MetricRegistry;
  readonly acker: Acker;
  readonly ackRoute: AckRoute = this;
  readonly layout: TopologyLayout;
  now = performance.now();
  #state: RuntimeState = 'created';
  #wiring: Wiring | undefined;
  #order: { spouts: SpoutExecutor[]; bolts: BoltExecutor[]; boltsUpstreamFirst: BoltExecutor[] } = { spouts: [], bolts: [], boltsUpstreamFirst: [] };
  #scheduled = false;
  #idleTimer: NodeJS.Timeout | undefined;
  #stallTimer: NodeJS.Timeout | undefined;
  #timers: NodeJS.Timeout[] = [];
  #waiters: { check: () => boolean; resolve: (ok: boolean) => void }[] = [];
  #errors = new Map<string, ComponentError[]>();
  #ticksDelivered = 0;
  #flushing = false;
  #flushedAt = -1;
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
    this.completion = new Promise((resolve) => (this.#resolveCompletion = resolve));
    this.failure = new Promise((resolve) => (this.#resolveFailure = resolve));
    const hosted = options.hosted?.(this.layout) ?? this.layout.executors;
    this.#wiring = wire({ topology: this.topology, layout: this.layout, hosted, host: this, metrics: this.metrics });
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

  /** Prepares bolts, opens and activates spouts, and starts scheduling. */
  async start(): Promise<void> {
    if (this.#state !== 'created') throw new SquallError(ErrorCodes.COMPONENT_LIFECYCLE, `runtime of '${this.topologyName}' was already started`);
    this.#state = 'starting';
    try {
      for (const b of this.#order.boltsUpstreamFirst) for (const t of b.tasks) await runHook(t.context, 'prepare', () => t.bolt.prepare?.(t.context, t));
      for (const s of this.#order.spouts) for (const t of s.tasks) await runHook(t.context, 'open', () => t.spout.open?.(t.context, t));
    } catch (error) {
      this.#state = 'failed';
      throw error;
    }
    const sweepMs = Acker.sweepIntervalMs(this.config.messageTimeoutMs);
    this.#timers.push(setInterval(() => this.#sweep(), sweepMs));
    this.#startTicks();
    this.#state = 'running';
    for (const s of this.#order.spouts) {
      for (const t of s.tasks) await runHook(t.context, 'activate', () => t.spout.activate?.());
      s.active = true;
    }
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

  reportError(component: string, task: number, error: unknown): void {
    const entry = this.#keepError(component, task, error);
    this.logger.warn(`${component}[${task}]: ${entry.message}`, { component, task, ...(entry.code ? { code: entry.code } : {}) });
  }

  reportFatalError(component: string, task: number, error: unknown): void {
    const entry = this.#keepError(component, task, error);
    this.metrics.counter('fatal_errors_total', 'Errors after which a task could not go on', { topology: this.topologyName, component }).inc();
    this.logger.error(`${component}[${task}] cannot go on: ${entry.message}`, { component, task, ...(entry.code ? { code: entry.code } : {}) });
    if (this.#failed !== undefined) return;
    this.#failed = entry;
    this.#resolveFailure(entry);
  }

  #keepError(component: string, task: number, error: unknown): ComponentError {
    const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : undefined;
    const entry: ComponentError = { component, task, message: messageOf(error), code, time: Date.now() };
    const list = this.#errors.get(component) ?? [];
    list.push(entry);
    if (list.length > LAST_ERRORS) list.shift();
    this.#errors.set(component, list);
    this.metrics.counter('errors_total', 'Errors reported by components', { topology: this.topologyName, component }).inc();
    return entry;
  }

  /** The last errors of each component, newest last. */
  lastErrors(): ReadonlyMap<string, readonly ComponentError[]> {
    return this.#errors;
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
    if (this.#waiters.length > 0) this.#checkWaiters();
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
    let n = -this.#ticksDelivered;
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

  #checkWaiters(): void {
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.check()) return true;
      w.resolve(true);
      return false;
    });
  }

  #waitFor(check: () => boolean, deadline: number): Promise<boolean> {
    if (check()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer =
        deadline === Infinity
          ? undefined
          : setTimeout(() => {
              this.#waiters = this.#waiters.filter((w) => w !== waiter);
              resolve(check());
            }, Math.max(0, deadline - performance.now()));
      const waiter = {
        check,
        resolve: (ok: boolean) => {
          clearTimeout(timer);
          resolve(ok);
        },
      };
      this.#waiters.push(waiter);
      this.wake();
    });
  }

  #sweep(): void {
    if (this.acker.sweep(this.config.messageTimeoutMs) > 0) this.wake();
  }

  #startTicks(): void {
    for (const b of this.#wiring!.bolts) {
      const interval = this.layout.componentOfTask.get(b.tasks[0]!.context.taskId)!.tickIntervalMs;
      if (interval === undefined) continue;
      this.#timers.push(
        setInterval(() => {
          for (const t of b.tasks) {
            this.#ticksDelivered++;
            b.inbox.push(new TupleImpl([], TICK_SCHEMA, -1, t.context.taskId));
          }
        }, interval),
      );
    }
  }

  async #stop(timeoutMs: number): Promise<StopReport> {
    const started = performance.now();
    const deadline = started + timeoutMs;
    if (this.#state === 'created' || this.#state === 'failed') {
      this.#state = 'stopped';
      return { forced: false, inFlight: 0, durationMs: 0 };
    }
    this.#state = 'draining';
    for (const s of this.#order.spouts) {
      s.active = false;
      for (const t of s.tasks) await runHook(t.context, 'deactivate', () => t.spout.deactivate?.(), deadline).catch(() => {});
    }
    let drained = await this.#waitFor(() => this.#quiet() && !this.#flushing, deadline);
    if (drained) {
      // A run that completed was flushed already; flush again only if something happened since.
      if (this.#activity() !== this.#flushedAt) await this.#flushAll('shutdown', deadline);
      drained = await this.#waitFor(() => this.#quiet() && this.acker.pending === 0, deadline);
    }
    this.#state = 'stopped';
    for (const t of this.#timers) clearInterval(t);
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
    for (const w of this.#waiters) w.resolve(false);
    this.#waiters = [];
    return { forced: !drained, inFlight: drained ? 0 : inFlight, durationMs: performance.now() - started };
  }
}
