/**
 * Task ids and executors. Ids are assigned as Storm does, over components sorted by id, so
 * every process computes the same layout from the same definition.
 */
import type { ComponentDefinition, TopologyDefinition } from '../topology/types.js';

export interface ExecutorLayout {
  /** `component[first-last]`, unique in the topology. */
  readonly id: string;
  readonly component: ComponentDefinition;
  /** Contiguous, ascending task ids. */
  readonly tasks: readonly number[];
}

export interface TopologyLayout {
  readonly componentOfTask: ReadonlyMap<number, ComponentDefinition>;
  readonly tasksOf: ReadonlyMap<string, readonly number[]>;
  readonly executors: readonly ExecutorLayout[];
}

export function computeLayout(topology: TopologyDefinition): TopologyLayout {
  const componentOfTask = new Map<number, ComponentDefinition>();
  const tasksOf = new Map<string, number[]>();
  const executors: ExecutorLayout[] = [];
  let next = 1;
  const sorted = [...topology.components].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const component of sorted) {
    const tasks: number[] = [];
    for (let i = 0; i < component.tasks; i++) {
      componentOfTask.set(next, component);
      tasks.push(next++);
    }
    tasksOf.set(component.id, tasks);
    // Spread tasks over executors as evenly as possible, in contiguous ranges.
    let start = 0;
    for (let e = 0; e < component.parallelism; e++) {
      const count = Math.floor(tasks.length / component.parallelism) + (e < tasks.length % component.parallelism ? 1 : 0);
      const mine = tasks.slice(start, start + count);
      start += count;
      executors.push({ id: `${component.id}[${mine[0]}-${mine[mine.length - 1]}]`, component, tasks: mine });
    }
  }
  return { componentOfTask, tasksOf, executors };
}

/** Components ordered so that every component comes after those it subscribes to (cycles broken). */
export function topologicalOrder(topology: TopologyDefinition): ComponentDefinition[] {
  const byId = new Map(topology.components.map((c) => [c.id, c]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const order: ComponentDefinition[] = [];
  const visit = (c: ComponentDefinition) => {
    if (done.has(c.id) || visiting.has(c.id)) return;
    visiting.add(c.id);
    for (const input of c.inputs) {
      const source = byId.get(input.from);
      if (source !== undefined) visit(source);
    }
    visiting.delete(c.id);
    done.add(c.id);
    order.push(c);
  };
  for (const c of topology.components) visit(c);
  return order;
}
