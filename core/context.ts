/** What a running spout or bolt task knows about itself and its topology. */
import type { Logger } from './logger.js';
import type { MetricGroup } from './metrics/registry.js';
import type { TaskThreads } from './threads/task-threads.js';

export interface TopologyContext {
  readonly topologyName: string;
  readonly componentId: string;
  /** This task's id, unique in the topology. */
  readonly taskId: number;
  /** This task's index among its component's tasks, from 0. */
  readonly taskIndex: number;
  /** The ids of every task of this component. */
  readonly componentTasks: readonly number[];
  /** The topology config merged with the component's config. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly logger: Logger;
  /** Counters and histograms of this task, exported with the component's labels. */
  readonly metrics: MetricGroup;
  /** The task ids of any component of the topology (empty for an unknown id). */
  tasksOf(componentId: string): readonly number[];
  /**
   * Aborts when the topology starts to stop: a task waiting on something outside (storage that
   * cannot take writes) stops waiting, so the run drains at once. Absent in test doubles.
   */
  readonly stopping?: AbortSignal;
  /**
   * The worker process's threads, for a bolt whose component declares `threads` (undefined
   * otherwise): run CPU-bound work there with `threads.run(module, task)`. See {@link ThreadedBolt}
   * for a bolt whose whole `execute` runs there.
   */
  readonly threads?: TaskThreads;
  /** The declared fields of one of this component's output streams. */
  outputFields(stream?: string): readonly string[];
}
