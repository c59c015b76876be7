/**
 * A topology with declared config keys: the declaration, and the function that makes the
 * topology from a config checked against it. A topology file default-exports one, so that the
 * CLI (and Nimbus, for a submission) refuses a bad `-c key=value` before anything runs, and
 * `nimbus local <file> --help` lists the keys.
 *
 * @example
 * ```ts
 * export default configurable(
 *   configKeys({ sentences: { type: 'integer', min: 1, default: 100_000, description: 'sentences to generate' } }),
 *   (config) => topology('word-count').spout('sentences', { create: () => new SentenceSpout(config.sentences), outputs: { default: ['sentence'] } }),
 * );
 * ```
 */
import { type ConfigKeys, type ConfigOf, compileConfig } from '../config-keys.js';
import { TopologyBuilder } from './builder.js';
import type { TopologyDefinition } from './types.js';

/** What a configurable topology's function returns: a definition, or a builder to build. */
export type TopologyOrBuilder = TopologyDefinition | TopologyBuilder<any>;

/** A topology made from a config checked against `configKeys`. */
export interface ConfigurableTopology<S extends ConfigKeys = ConfigKeys> {
  readonly kind: 'squall.configurable-topology';
  readonly configKeys: S;
  /**
   * Checks `given` against the declaration (throwing `SQUALL_ERR_INVALID_CONFIG` for an unknown key
   * or a bad value, naming `source` in the message), then makes and builds the topology, which
   * carries the declaration as its `configKeys`.
   */
  make(given?: Readonly<Record<string, unknown>>, source?: string): TopologyDefinition;
}

/**
 * Declares a topology's config keys along with the function that makes it. `create` is given the
 * declared defaults with the checked values over them.
 */
export function configurable<const S extends ConfigKeys>(configKeys: S, create: (config: ConfigOf<S>) => TopologyOrBuilder): ConfigurableTopology<S> {
  return Object.freeze({
    kind: 'squall.configurable-topology' as const,
    configKeys,
    make(given: Readonly<Record<string, unknown>> = {}, source?: string): TopologyDefinition {
      const made = create(compileConfig(configKeys, given, source));
      const definition = made instanceof TopologyBuilder ? made.build() : made;
      return Object.freeze({ ...definition, configKeys });
    },
  });
}

export function isConfigurable(value: unknown): value is ConfigurableTopology {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'squall.configurable-topology';
}
