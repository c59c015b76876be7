/**
 * The typed topology builder. Each `spout` and `bolt` call records the component's declared
 * streams in the builder's type, so a subscription can only name a component and stream that
 * exist, and a fields grouping only fields that stream declares.
 *
 * @example
 * ```ts
 * export default topology('word-count')
 *   .spout('sentences', { create: () => new SentenceSpout(), outputs: { default: ['sentence'] } })
 *   .bolt('split', {
 *     create: () => new SplitBolt(),
 *     inputs: [{ from: 'sentences', grouping: shuffle() }],
 *     outputs: { default: ['word'] },
 *   })
 *   .bolt('count', { create: () => new CountBolt(), inputs: [{ from: 'split', grouping: fields('word') }] })
 *   .build();
 * ```
 */
import type { Grouping } from './grouping.js';
import type {
  BoltOptions,
  ComponentDefinition,
  ComponentOptions,
  FieldsOf,
  InputDecl,
  OutputsDecl,
  RunReport,
  SpoutOptions,
  StreamDefinition,
  TopologyDefinition,
} from './types.js';
import { assertValidTopology } from './validate.js';

/** The components declared so far, with their output streams. */
type Registry = { readonly [component: string]: OutputsDecl };

/** Every valid subscription to a component and stream declared so far. */
export type SubscriptionOf<C extends Registry> = {
  [K in keyof C & string]: {
    [S in keyof C[K] & string]: S extends 'default'
      ? { readonly from: K; readonly stream?: 'default'; readonly grouping: Grouping<FieldsOf<C[K][S]>> }
      : { readonly from: K; readonly stream: S; readonly grouping: Grouping<FieldsOf<C[K][S]>> };
  }[keyof C[K] & string];
}[keyof C & string];

/** The union of the fields a bolt's subscriptions carry. */
export type InputFields<C extends Registry, In> = In extends { readonly from: infer K extends keyof C; readonly stream: infer S extends string }
  ? FieldsOf<C[K][S]>
  : In extends { readonly from: infer K extends keyof C }
    ? FieldsOf<C[K]['default']>
    : never;

const DEFAULT_RESOURCES = Object.freeze({ cpu: 10, memoryMb: 128 });

function normalizeOutputs(outputs: OutputsDecl | undefined): Record<string, StreamDefinition> {
  const result: Record<string, StreamDefinition> = {};
  for (const [id, decl] of Object.entries(outputs ?? {})) {
    const isList = Array.isArray(decl);
    const declared = isList ? (decl as readonly string[]) : (decl as { fields?: readonly string[] }).fields;
    result[id] = Object.freeze({
      id,
      fields: Object.freeze([...(declared ?? [])]),
      direct: isList ? false : (decl as { direct?: boolean }).direct === true,
    });
  }
  return result;
}

/** Builds a {@link TopologyDefinition} one component at a time. */
export class TopologyBuilder<C extends Registry = Record<never, never>> {
  readonly #name: string;
  readonly #config: Readonly<Record<string, unknown>>;
  readonly #components: ComponentDefinition[] = [];
  #report: RunReport | undefined;

  constructor(name: string, config: Readonly<Record<string, unknown>> = {}) {
    this.#name = name;
    this.#config = config;
  }

  /** Declares a spout (a source of tuples). */
  spout<const Id extends string, const O extends OutputsDecl>(id: Id, options: SpoutOptions<O>): TopologyBuilder<C & { readonly [K in Id]: O }> {
    this.#components.push(this.#component(id, 'spout', options, options.create, options.outputs, []));
    return this as unknown as TopologyBuilder<C & { readonly [K in Id]: O }>;
  }

  /** Declares a bolt (processing or a sink) and what it subscribes to. */
  bolt<const Id extends string, const In extends SubscriptionOf<C>, const O extends OutputsDecl = Record<never, never>>(
    id: Id,
    options: BoltOptions<O, In, InputFields<C, In>>,
  ): TopologyBuilder<C & { readonly [K in Id]: O }> {
    const inputs = (options.inputs ?? []).map((input: InputDecl) =>
      Object.freeze({ from: input?.from, stream: input?.stream ?? 'default', grouping: input?.grouping }),
    );
    this.#components.push(this.#component(id, 'bolt', options, options.create, options.outputs, inputs, options.threads));
    return this as unknown as TopologyBuilder<C & { readonly [K in Id]: O }>;
  }

  /**
   * Sets the closing block of a run's summary: lines made from the run's metrics once it has
   * stopped, such as where the output went and how many records it holds.
   */
  report(report: RunReport): this {
    this.#report = report;
    return this;
  }

  /** Validates the topology and returns its definition. Throws a `TopologyValidationError`. */
  build(): TopologyDefinition {
    const definition: TopologyDefinition = Object.freeze({
      kind: 'squall.topology',
      name: this.#name,
      config: Object.freeze({ ...this.#config }),
      components: Object.freeze([...this.#components]),
      ...(this.#report === undefined ? {} : { report: this.#report }),
    });
    assertValidTopology(definition);
    return definition;
  }

  #component(
    id: string,
    kind: 'spout' | 'bolt',
    options: ComponentOptions,
    create: ComponentDefinition['create'],
    outputs: OutputsDecl | undefined,
    inputs: ComponentDefinition['inputs'],
    threads = 0,
  ): ComponentDefinition {
    const parallelism = options.parallelism ?? 1;
    return Object.freeze({
      id,
      kind,
      parallelism,
      tasks: options.tasks ?? parallelism,
      config: Object.freeze({ ...(options.config ?? {}) }),
      resources: Object.freeze({ ...DEFAULT_RESOURCES, ...(options.resources ?? {}) }),
      tickIntervalMs: options.tickIntervalMs,
      threads,
      outputs: Object.freeze(normalizeOutputs(outputs)),
      inputs: Object.freeze(inputs),
      create,
    });
  }
}

/** Starts a topology definition. `config` holds topology-wide settings (see `TopologyConfig`). */
export function topology(name: string, config: Readonly<Record<string, unknown>> = {}): TopologyBuilder {
  return new TopologyBuilder(name, config);
}
