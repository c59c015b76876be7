/**
 * Local mode: Storm's LocalCluster. Topologies run in this process with in-memory cluster
 * state; the executors, acking and queues are the same ones a cluster worker runs.
 */
import { ErrorCodes, type Logger, MetricRegistry, SquallError, type StopReport, type TopologyDefinition, TopologyRuntime, nullLogger } from '../../core/index.js';

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

  async kill(name: string, timeoutMs?: number): Promise<StopReport> {
    const runtime = this.#topologies.get(name);
    if (runtime === undefined) throw new SquallError(ErrorCodes.UNKNOWN_COMPONENT, `no topology named '${name}' is running (running: ${this.list().join(', ') || 'none'})`);
    const report = await runtime.stop(timeoutMs === undefined ? {} : { timeoutMs });
    this.#topologies.delete(name);
    this.metrics.removeMatching({ topology: name });
    return report;
  }

  async shutdown(timeoutMs?: number): Promise<void> {
    await Promise.all(this.list().map((name) => this.kill(name, timeoutMs)));
  }
}
