/**
 * Builds the executors a process hosts from a topology definition: task instances, their
 * contexts and metrics, stream routing, inboxes and the backpressure links between them.
 */
import type { TopologyContext } from '../context.js';
import { ErrorCodes, SquallError } from '../errors.js';
import { type Counter, type MetricRegistry, capacityOf } from '../metrics/registry.js';
import type { Bolt } from '../bolt.js';
import type { Spout } from '../spout.js';
import { SYSTEM_COMPONENT, TICK_STREAM } from '../tuple.js';
import type { ComponentDefinition, FactoryContext, TopologyDefinition } from '../topology/types.js';
import { BoltExecutor, BoltTask } from './bolt-executor.js';
import type { BoltThreads } from './bolt-threads.js';
import { createGrouper, type Grouper, type TargetInfo } from './grouper.js';
import type { ExecutorHost } from './host.js';
import { Inbox, type Throttleable } from './inbox.js';
import type { ExecutorLayout, TopologyLayout } from './layout.js';
import { SpoutExecutor, SpoutTask } from './spout-executor.js';
import { StreamOut, TaskOutput, type TupleEndpoint } from './task-output.js';
import { StreamSchema } from './tuple-impl.js';

export const TICK_SCHEMA = new StreamSchema(SYSTEM_COMPONENT, TICK_STREAM, [], true);

export interface Wiring {
  readonly spouts: SpoutExecutor[];
  readonly bolts: BoltExecutor[];
  /** Endpoint of every task, indexed by task id; local tasks map to their executor's inbox. */
  readonly endpoints: (TupleEndpoint | undefined)[];
  readonly inboxOfTask: Map<number, Inbox>;
  /** Every stream's schema, by component and stream id. */
  readonly schemas: ReadonlyMap<string, ReadonlyMap<string, StreamSchema>>;
}

export interface WiringOptions {
  readonly topology: TopologyDefinition;
  readonly layout: TopologyLayout;
  /** The executors this process runs. */
  readonly hosted: readonly ExecutorLayout[];
  readonly host: ExecutorHost;
  readonly metrics: MetricRegistry;
  /** The threads of bolts that declare `threads`. */
  readonly threads?: BoltThreads;
  /** Endpoints for tasks of other workers; `addProducer` lets a full way throttle who feeds it. */
  readonly remoteEndpoint?: (task: number) => TupleEndpoint & { addProducer?(producer: Throttleable): void };
}

function schemasOf(topology: TopologyDefinition): Map<string, Map<string, StreamSchema>> {
  const schemas = new Map<string, Map<string, StreamSchema>>();
  for (const c of topology.components) {
    schemas.set(c.id, new Map(Object.values(c.outputs).map((s) => [s.id, new StreamSchema(c.id, s.id, s.fields)])));
  }
  return schemas;
}

function create<T>(component: ComponentDefinition, context: FactoryContext): T {
  try {
    const instance = (component.create as (c: FactoryContext) => T)(context);
    if (instance === null || typeof instance !== 'object') throw new TypeError(`create() returned ${String(instance)}`);
    return instance;
  } catch (error) {
    throw new SquallError(ErrorCodes.COMPONENT_LIFECYCLE, `could not create ${component.kind} '${component.id}' task ${context.taskId}: ${(error as Error)?.message ?? String(error)}`, {
      component: component.id,
      cause: error,
    });
  }
}

export function wire(options: WiringOptions): Wiring {
  const { topology, layout, hosted, host, metrics } = options;
  const schemas = schemasOf(topology);
  const maxTask = Math.max(...layout.componentOfTask.keys());
  const endpoints: (TupleEndpoint | undefined)[] = new Array(maxTask + 1);
  const inboxOfTask = new Map<number, Inbox>();
  const executorOf = new Map<string, BoltExecutor | SpoutExecutor>();

  for (const ex of hosted) {
    if (ex.component.kind !== 'bolt') continue;
    const inbox = new Inbox(host.config.queueCapacity);
    for (const task of ex.tasks) {
      endpoints[task] = inbox;
      inboxOfTask.set(task, inbox);
    }
  }
  const remote = new Map<number, TupleEndpoint & { addProducer?(producer: Throttleable): void }>();
  if (options.remoteEndpoint !== undefined) {
    for (const task of layout.componentOfTask.keys()) {
      if (endpoints[task] !== undefined) continue;
      const endpoint = options.remoteEndpoint(task);
      endpoints[task] = endpoint;
      remote.set(task, endpoint);
    }
  }
  const info: TargetInfo = {
    load: (task) => endpoints[task]?.load() ?? 0,
    isLocal: (task) => inboxOfTask.has(task),
  };

  const taskOutput = (c: ComponentDefinition, task: number): TaskOutput => {
    const streams = new Map<string, StreamOut>();
    for (const stream of Object.values(c.outputs)) {
      const groupers: Grouper[] = [];
      let direct: Set<number> | null = stream.direct ? new Set() : null;
      for (const sub of topology.components) {
        for (const input of sub.inputs) {
          if (input.from !== c.id || input.stream !== stream.id) continue;
          const targets = layout.tasksOf.get(sub.id)!;
          if (input.grouping.type === 'direct') {
            direct ??= new Set();
            for (const t of targets) direct.add(t);
          } else {
            groupers.push(createGrouper(input.grouping, targets, stream.fields, info, `'${c.id}' -> '${sub.id}'`));
          }
        }
      }
      const l = { topology: topology.name, component: c.id, task: String(task), stream: stream.id };
      const emitted = metrics.counter('emitted_total', 'Tuples emitted, per stream', l);
      const transferred = metrics.counter('transferred_total', 'Tuple copies delivered to subscribed tasks, per stream', l);
      streams.set(stream.id, new StreamOut(schemas.get(c.id)!.get(stream.id)!, groupers, direct, emitted, transferred));
    }
    return new TaskOutput(c.id, task, streams, endpoints);
  };

  const contextOf = (c: ComponentDefinition, task: number): TopologyContext => {
    const tasks = layout.tasksOf.get(c.id)!;
    const config = Object.freeze({ ...host.config, ...c.config });
    const threads = options.threads?.forTask(c, task);
    return {
      topologyName: topology.name,
      componentId: c.id,
      taskId: task,
      taskIndex: tasks.indexOf(task),
      componentTasks: tasks,
      config,
      logger: host.logger.child(c.id, { task }),
      stopping: host.stopping,
      metrics: metrics.group({ topology: topology.name, component: c.id, task: String(task) }),
      tasksOf: (id) => layout.tasksOf.get(id) ?? [],
      outputFields: (stream = 'default') => c.outputs[stream]?.fields ?? [],
      ...(threads === undefined ? {} : { threads }),
    };
  };

  const spouts: SpoutExecutor[] = [];
  const bolts: BoltExecutor[] = [];
  for (const ex of hosted) {
    const c = ex.component;
    const labels = (task: number) => ({ topology: topology.name, component: c.id, task: String(task) });
    if (c.kind === 'spout') {
      const tasks = ex.tasks.map((task) => {
        const context = contextOf(c, task);
        const spout = create<Spout>(c, { componentId: c.id, taskId: task, config: context.config });
        const l = labels(task);
        const failed = (reason: string): Counter => metrics.counter('spout_failed_total', 'Tuple trees failed, by reason: error, explicit or timeout', { ...l, reason });
        const spoutTask = new SpoutTask(spout, context, taskOutput(c, task), host, {
          acked: metrics.counter('spout_acked_total', 'Tuple trees completed', l),
          failed: { error: failed('error'), explicit: failed('explicit'), timeout: failed('timeout') },
          completeLatency: metrics.histogram('complete_latency_seconds', 'From spout emit to tree completion', l),
          throttledPending: metrics.counter('spout_throttled_seconds_total', 'Time a spout was not polled', { ...l, reason: 'max_pending' }),
          throttledBackpressure: metrics.counter('spout_throttled_seconds_total', 'Time a spout was not polled', { ...l, reason: 'backpressure' }),
        });
        metrics.gauge('spout_pending', 'Tuple trees in flight (maxSpoutPending limits them)', l, () => spoutTask.pending);
        return spoutTask;
      });
      const executor = new SpoutExecutor(ex.id, tasks, host);
      spouts.push(executor);
      executorOf.set(ex.id, executor);
    } else {
      const tasks = ex.tasks.map((task) => {
        const context = contextOf(c, task);
        const bolt = create<Bolt>(c, { componentId: c.id, taskId: task, config: context.config });
        const l = labels(task);
        const failed = (reason: string): Counter => metrics.counter('failed_total', 'Tuples failed by a bolt, by reason: error (execute threw) or explicit', { ...l, reason });
        const executeSeconds = metrics.counter('execute_seconds_total', 'Time spent in execute', l);
        metrics.gauge('capacity', "Share of the last 10 to 20 s spent executing (Storm's capacity); near 1 the task cannot keep up", l, capacityOf(() => executeSeconds.value));
        return new BoltTask(bolt, context, taskOutput(c, task), host, {
          executed: metrics.counter('executed_total', 'Tuples executed', l),
          acked: metrics.counter('acked_total', 'Tuples acked by a bolt', l),
          failed: { error: failed('error'), explicit: failed('explicit') },
          executeSeconds,
          executeLatency: metrics.histogram('execute_latency_seconds', 'Time in one execute', l),
          processLatency: metrics.histogram('process_latency_seconds', 'From the start of execute to the ack', l),
        });
      });
      const executor = new BoltExecutor(ex.id, inboxOfTask.get(ex.tasks[0]!)!, tasks, host);
      bolts.push(executor);
      executorOf.set(ex.id, executor);
      // One receive queue per executor, labelled with its first task.
      const queueLabels = { topology: topology.name, component: c.id, task: String(ex.tasks[0]) };
      metrics.gauge('queue_size', "Tuples waiting in an executor's receive queue", queueLabels, () => executor.inbox.size);
      // Shows that memory stays bounded: at most queueCapacity plus one execute's output.
      metrics.gauge('queue_high_water', 'Most tuples ever waiting in an executor queue', queueLabels, () => executor.inbox.highWater);
    }
  }

  // Backpressure: a full inbox throttles every local executor that can emit into it.
  for (const ex of hosted) {
    if (ex.component.kind !== 'bolt') continue;
    const inbox = inboxOfTask.get(ex.tasks[0]!)!;
    inbox.onArrival = () => host.wake();
    inbox.onDrained = () => host.wake();
    const sources = new Set(ex.component.inputs.map((i) => i.from));
    for (const producer of hosted) {
      if (sources.has(producer.component.id)) inbox.addProducer(executorOf.get(producer.id)!);
    }
  }
  // A full way to another worker throttles every local executor that emits towards it.
  for (const sub of topology.components) {
    for (const input of sub.inputs) {
      for (const producer of hosted) {
        if (producer.component.id !== input.from) continue;
        for (const task of layout.tasksOf.get(sub.id)!) remote.get(task)?.addProducer?.(executorOf.get(producer.id)!);
      }
    }
  }
  return { spouts, bolts, endpoints, inboxOfTask, schemas };
}
