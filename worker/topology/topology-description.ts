/**
 * A topology as the cluster sees it: its components, their executors and tasks, and what they
 * declared they need. Nimbus schedules from it; every worker computes the same layout.
 */
import { type TopologyDefinition, computeLayout } from '../../core/index.js';

export interface ComponentDescription {
  readonly id: string;
  readonly kind: 'spout' | 'bolt';
  readonly parallelism: number;
  readonly tasks: number;
  readonly cpu: number;
  readonly memoryMb: number;
  /** What it subscribes to: the graph the UI draws (absent in records of older versions). */
  readonly inputs?: readonly { readonly from: string; readonly stream: string }[];
}

export interface BundleDescription {
  readonly name: string;
  readonly components: readonly ComponentDescription[];
}

export function describeTopology(topology: TopologyDefinition): BundleDescription {
  return {
    name: topology.name,
    components: topology.components.map((c) => ({ id: c.id, kind: c.kind, parallelism: c.parallelism, tasks: c.tasks, cpu: c.resources.cpu, memoryMb: c.resources.memoryMb, inputs: c.inputs.map((i) => ({ from: i.from, stream: i.stream })) })),
  };
}

/**
 * The definition with some components' executors changed (a rebalance): each count must lie
 * between 1 and the component's tasks.
 */
export function withExecutors(topology: TopologyDefinition, executors: Readonly<Record<string, number>>): TopologyDefinition {
  for (const [id, n] of Object.entries(executors)) {
    const c = topology.components.find((x) => x.id === id);
    if (c === undefined) throw new Error(`topology '${topology.name}' has no component '${id}' (it has ${topology.components.map((x) => x.id).join(', ')})`);
    if (!(Number.isInteger(n) && n >= 1 && n <= c.tasks)) throw new Error(`component '${id}' can run on 1 to ${c.tasks} executors (its tasks), not ${n}`);
  }
  return { ...topology, components: topology.components.map((c) => (executors[c.id] === undefined ? c : { ...c, parallelism: executors[c.id]! })) };
}

/** The executors of a topology (ids and what each component needs), after `executors` overrides. */
export function executorsOf(description: BundleDescription, executors: Readonly<Record<string, number>> = {}): { id: string; component: string; cpu: number; memoryMb: number }[] {
  const synthetic: TopologyDefinition = {
    kind: 'squall.topology',
    name: description.name,
    config: {},
    components: description.components.map((c) => ({ id: c.id, kind: c.kind, parallelism: executors[c.id] ?? c.parallelism, tasks: c.tasks, config: {}, resources: { cpu: c.cpu, memoryMb: c.memoryMb }, tickIntervalMs: undefined, threads: 0, outputs: {}, inputs: [], create: () => { throw new Error('a description has no code'); } })),
  };
  return computeLayout(synthetic).executors.map((e) => ({ id: e.id, component: e.component.id, cpu: e.component.resources.cpu, memoryMb: e.component.resources.memoryMb }));
}
