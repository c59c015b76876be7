/**
 * Local mode: Storm's LocalCluster. Topologies run in this process with in-memory cluster
 * state; the executors, acking and queues are the same ones a cluster worker runs.
 */
import { ErrorCodes, type Logger, MetricRegistry, SquallError, type RunMetrics, type StopReport, type TopologyDefinition, TopologyRuntime, nullLogger } from '../../core/index.js';

/** How a topology stopped, and the closing lines of its summary. */
export interface LocalStopReport extends StopReport {
  readonly closing: readonly string[];
}

export interface LocalClusterOptions {
  readonly logger?: Logger;
  readonly metrics?: MetricRegistry;
}

export class LocalCluster {
  readonly #topologies = new Map<string, TopologyRuntime>();
  readonly #logger: Logger;
  readonly metrics: MetricRegistry;

  constructor(options: LocalClusterOptions = {}) {
    this.#logger = options.logger ?? nullLogger;
    this.metrics = options.metrics ?? new MetricRegistry();
  }

  /** Starts a topology. Names are unique among running topologies, as in Storm. */
  async submit(topology: TopologyDefinition, config: Readonly<Record<string, unknown>> = {}): Promise<TopologyRuntime> {
    if (this.#topologies.has(topology.name)) {
      throw new SquallError(ErrorCodes.INVALID_TOPOLOGY, `a topology named '${topology.name}' is already running: kill it first or choose another name`);
    }
    const runtime = new TopologyRuntime({ topology, config, logger: this.#logger.child(topology.name), metrics: this.metrics });
    this.#topologies.set(topology.name, runtime);
    try {
      await runtime.start();
    } catch (error) {
      this.#topologies.delete(topology.name);
      await runtime.stop({ timeoutMs: 1000 });
      throw error;
    }
    return runtime;
  }

  list(): string[] {
    return [...this.#topologies.keys()];
  }

  get(name: string): TopologyRuntime | undefined {
    return this.#topologies.get(name);
  }

  /** Stops a topology; the report holds the closing lines its definition makes from its metrics (`report`), before they are dropped. */
  async kill(name: string, timeoutMs?: number): Promise<LocalStopReport> {
    const runtime = this.#topologies.get(name);
    if (runtime === undefined) throw new SquallError(ErrorCodes.UNKNOWN_COMPONENT, `no topology named '${name}' is running (running: ${this.list().join(', ') || 'none'})`);
    const report = await runtime.stop(timeoutMs === undefined ? {} : { timeoutMs });
    this.#topologies.delete(name);
    const mine = { topology: name };
    const metrics: RunMetrics = {
      total: (metric, labels) => this.metrics.total(metric, { ...labels, ...mine }),
      byLabel: (metric, label, labels) => this.metrics.byLabel(metric, label, { ...labels, ...mine }),
    };
    const closing = runtime.topology.report?.(metrics) ?? [];
    this.metrics.removeMatching(mine);
    return { ...report, closing };
  }

  async shutdown(timeoutMs?: number): Promise<void> {
    await Promise.all(this.list().map((name) => this.kill(name, timeoutMs)));
  }
}
