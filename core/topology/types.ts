/**
 * The declarative shape of a topology: components, their streams and their subscriptions.
 * `TopologyBuilder` produces a {@link TopologyDefinition}; the engine runs it.
 */
import type { Bolt } from '../bolt.js';
import type { ConfigKeys } from '../config-keys.js';
import type { Spout } from '../spout.js';
import type { Grouping } from './grouping.js';

/** A stream's declared fields, optionally marked `direct` (the emitter chooses the task). */
export type StreamDecl = readonly string[] | { readonly fields: readonly string[]; readonly direct?: boolean };

/** A component's output streams, keyed by stream id. The usual stream id is `default`. */
export type OutputsDecl = { readonly [stream: string]: StreamDecl };

/** The field names a stream declaration carries. */
export type FieldsOf<S> = S extends readonly (infer F)[]
  ? F & string
  : S extends { readonly fields: readonly (infer F)[] }
    ? F & string
    : never;

/** CPU and memory a component asks of its worker, used by the scheduler. */
export interface Resources {
  /** Share of a core, in percent. @default 10 */
  readonly cpu?: number;
  /** Memory, in MiB. @default 128 */
  readonly memoryMb?: number;
}

/** What a factory is told when it creates a spout or bolt instance for one task. */
export interface FactoryContext {
  readonly componentId: string;
  readonly taskId: number;
  /** The topology config merged with the component's own config. */
  readonly config: Readonly<Record<string, unknown>>;
}

/** Options every component shares. */
export interface ComponentOptions {
  /** Executors (threads of execution) for this component. @default 1 */
  readonly parallelism?: number;
  /** Tasks (instances); never fewer than `parallelism`. @default parallelism */
  readonly tasks?: number;
  /** Component config, merged over the topology config. */
  readonly config?: Readonly<Record<string, unknown>>;
  readonly resources?: Resources;
  /** Deliver a tick tuple to each task at this interval, in milliseconds. */
  readonly tickIntervalMs?: number;
}

export interface SpoutOptions<O extends OutputsDecl> extends ComponentOptions {
  /** Creates the spout instance of one task. */
  readonly create: (context: FactoryContext) => Spout;
  readonly outputs: O;
}

/** One subscription: (component, stream, grouping). */
export interface InputDecl {
  readonly from: string;
  /** @default 'default' */
  readonly stream?: string;
  readonly grouping: Grouping;
}

export interface BoltOptions<O extends OutputsDecl, In extends InputDecl, F extends string> extends ComponentOptions {
  /** Creates the bolt instance of one task. Its tuples carry the fields of its inputs. */
  readonly create: (context: FactoryContext) => Bolt<F>;
  readonly inputs: readonly In[];
  readonly outputs?: O;
  /**
   * Threads of the worker process this bolt's work may use. The process has one pool (Piscina),
   * shared by every bolt that declares threads, with as many threads as the largest declaration;
   * each task of such a bolt gets `context.threads` to run work there. A {@link ThreadedBolt}
   * runs its whole `execute` there, over batches; the webrequest refine bolt runs its refining
   * there. 0: everything on the main thread. @default 0
   */
  readonly threads?: number;
}

/** A validated stream of a component. */
export interface StreamDefinition {
  readonly id: string;
  readonly fields: readonly string[];
  readonly direct: boolean;
}

/** A validated subscription. */
export interface InputDefinition {
  readonly from: string;
  readonly stream: string;
  readonly grouping: Grouping;
}

/** A component as the engine sees it. */
export interface ComponentDefinition {
  readonly id: string;
  readonly kind: 'spout' | 'bolt';
  readonly parallelism: number;
  readonly tasks: number;
  readonly config: Readonly<Record<string, unknown>>;
  readonly resources: Required<Resources>;
  readonly tickIntervalMs: number | undefined;
  readonly threads: number;
  readonly outputs: Readonly<Record<string, StreamDefinition>>;
  readonly inputs: readonly InputDefinition[];
  readonly create: ((context: FactoryContext) => Spout) | ((context: FactoryContext) => Bolt);
}

/** A whole topology, ready to run. */
export interface TopologyDefinition {
  readonly kind: 'squall.topology';
  readonly name: string;
  readonly config: Readonly<Record<string, unknown>>;
  /** Components in declaration order. */
  readonly components: readonly ComponentDefinition[];
  /** The config keys it declares (see `configurable`); undefined when it declares none and takes any key. */
  readonly configKeys?: ConfigKeys;
  /** The closing block of a run's summary: where the output went and what it holds (see `TopologyBuilder.report`). */
  readonly report?: RunReport;
}

/** What a run's metrics say, for its closing summary: only this topology's series are read. */
export interface RunMetrics {
  /** The sum of every series of a counter or gauge (`squall_` prefix optional) whose labels include `labels`. */
  total(name: string, labels?: Readonly<Record<string, string>>): number;
  /** The same sums, by the value of one label. */
  byLabel(name: string, label: string, labels?: Readonly<Record<string, string>>): Map<string, number>;
}

/**
 * Lines for the closing block of a run's summary (`output: out/webrequest`, `records refined:
 * 98,031`), made from the run's metrics once it has stopped. Each line stands alone, so a
 * topology adds one by returning one more.
 */
export type RunReport = (metrics: RunMetrics) => readonly string[];
