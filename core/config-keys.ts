/**
 * A topology's config keys, declared with their type, what values they allow, their default and a
 * description; and one function that checks what a user gave (`-c key=value`) against them. A
 * declaration is plain data, so the CLI checks a run before anything starts, prints the keys in
 * `--help`, and Nimbus checks a submission with the same declaration.
 *
 * @example
 * ```ts
 * const keys = configKeys({
 *   records: { type: 'integer', min: 1, default: 100_000, description: 'records to generate' },
 *   format: { type: 'string', values: ['avro', 'ndjson'], default: 'avro', description: 'output format' },
 * });
 * compileConfig(keys, { records: 500 }); // { records: 500, format: 'avro' }
 * ```
 */
import { closestName } from './closest-name.js';
import { DEFAULT_TOPOLOGY_CONFIG as ENGINE } from './config.js';
import { ErrorCodes, SquallError } from './errors.js';

interface KeyBase<T> {
  /** One line for `--help`: what the key does, with its unit. */
  readonly description: string;
  /** The value when the key is not given. Leave it out when the default is worked out at run time. */
  readonly default?: T;
  /** How `--help` shows a default worked out at run time, such as "the cores but one". */
  readonly defaultText?: string;
  /** A further rule: returns what is allowed when `value` breaks it, else undefined. */
  readonly check?: (value: T) => string | undefined;
}

/** A text key; `values` lists the only values it allows. A number or boolean given is taken as its text. */
export interface StringKey<T extends string = string> extends KeyBase<T> {
  readonly type: 'string';
  readonly values?: readonly T[];
}

/** A number key: `integer` allows whole numbers only. `min` and `max` are inclusive. */
export interface NumberKey extends KeyBase<number> {
  readonly type: 'integer' | 'number';
  readonly min?: number;
  readonly max?: number;
}

/** A boolean key: true or false. */
export interface BooleanKey extends KeyBase<boolean> {
  readonly type: 'boolean';
}

export type ConfigKey = StringKey | NumberKey | BooleanKey;

/** A declaration: each config key a topology reads, by name. */
export type ConfigKeys = Readonly<Record<string, ConfigKey>>;

/** The value type of a declared key. */
export type ConfigValueOf<K> = K extends { readonly type: 'string'; readonly values: readonly (infer T)[] }
  ? T
  : K extends StringKey
    ? string
    : K extends NumberKey
      ? number
      : K extends BooleanKey
        ? boolean
        : never;

/** The checked config of a declaration: a key with a default always has a value. */
export type ConfigOf<S extends ConfigKeys> = {
  readonly [K in keyof S]: S[K] extends { readonly default: unknown } ? ConfigValueOf<S[K]> : ConfigValueOf<S[K]> | undefined;
} & Readonly<Record<string, unknown>>;

/** Declares config keys; keeps their literal types (allowed values, defaults) for {@link ConfigOf}. */
export function configKeys<const S extends ConfigKeys>(keys: S): S {
  return Object.freeze(keys);
}

/** The engine's keys (core/config.ts): valid in every topology, checked again across fields when it starts. */
export const ENGINE_CONFIG_KEYS: ConfigKeys = configKeys({
  acking: { type: 'boolean', default: ENGINE.acking, description: 'track tuple trees and call ack/fail on spouts; false means at-most-once' },
  maxSpoutPending: { type: 'integer', min: 1, default: ENGINE.maxSpoutPending, description: 'tuples a spout task may have in flight' },
  messageTimeoutMs: { type: 'number', min: 1, default: ENGINE.messageTimeoutMs, description: 'a tuple tree not complete within this fails, in ms' },
  queueCapacity: { type: 'integer', min: 1, default: ENGINE.queueCapacity, description: "tuples an executor's input queue holds" },
  batchSize: { type: 'integer', min: 1, default: ENGINE.batchSize, description: 'tuples handled in one turn; at most queueCapacity' },
  shutdownTimeoutMs: { type: 'number', min: 1, default: ENGINE.shutdownTimeoutMs, description: 'how long a graceful stop drains, in ms' },
  spoutIdleMaxMs: { type: 'number', min: 1, default: ENGINE.spoutIdleMaxMs, description: 'longest pause between polls of an idle spout, in ms' },
  workers: { type: 'integer', min: 1, default: ENGINE.workers, description: 'worker processes in cluster mode' },
  metricsTiming: { type: 'boolean', default: ENGINE.metricsTiming, description: 'time executes and tuple trees into the latency histograms; false keeps the counters only' },
  stallFlushMs: { type: 'number', min: 1, default: ENGINE.stallFlushMs, description: 'flush bolts after spouts are held back this long, in ms' },
  storageDeadlineMs: { type: 'number', min: 1, default: ENGINE.storageDeadlineMs, description: 'how long a writer holds its input while its storage cannot take writes, before the run stops, in ms' },
});

/** A value as the user wrote it: text quoted, numbers as they are (JSON would show NaN as null). */
export function showValue(value: unknown): string {
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}

function range(key: NumberKey): string {
  const what = key.type === 'integer' ? 'a whole number' : 'a number';
  if (key.min !== undefined && key.max !== undefined) return `${what} from ${key.min} to ${key.max}`;
  if (key.min !== undefined) return `${what}, ${key.min} or more`;
  if (key.max !== undefined) return `${what}, ${key.max} or less`;
  return what;
}

/** What a key allows, in words, for messages and `--help`. */
export function allowedOf(key: ConfigKey): string {
  if (key.type === 'boolean') return 'true or false';
  if (key.type === 'string') return key.values === undefined ? 'text' : `one of ${key.values.map((v) => `'${v}'`).join(', ')}`;
  return range(key);
}

/** The value `given` means for `key`, or a string saying why it is refused. */
function checkValue(key: ConfigKey, given: unknown): { value: unknown } | string {
  if (key.type === 'boolean') {
    if (given === true || given === 'true') return { value: true };
    if (given === false || given === 'false') return { value: false };
    return `use ${allowedOf(key)}`;
  }
  if (key.type === 'string') {
    if (typeof given !== 'string' && typeof given !== 'number' && typeof given !== 'boolean') return 'use text';
    const text = String(given);
    if (key.values !== undefined && !key.values.includes(text)) {
      const near = closestName(text, key.values);
      return `use ${allowedOf(key)}${near === undefined ? '' : ` (did you mean '${near}'?)`}`;
    }
    const broken = (key.check as ((v: string) => string | undefined) | undefined)?.(text);
    return broken === undefined ? { value: text } : `use ${broken}`;
  }
  const n = given;
  const fits = typeof n === 'number' && Number.isFinite(n) && (key.type === 'number' || Number.isInteger(n)) && !(key.min !== undefined && n < key.min) && !(key.max !== undefined && n > key.max);
  if (!fits) return `use ${range(key)}`;
  const broken = (key.check as ((v: number) => string | undefined) | undefined)?.(n);
  return broken === undefined ? { value: n } : `use ${broken}`;
}

/**
 * Checks `given` against `keys` (and the engine's keys, valid in every topology) and returns the
 * declared defaults with the given values over them. Throws one `SQUALL_ERR_INVALID_CONFIG` that
 * names every key refused: an unknown key (with the nearest declared name) or a value that is not
 * allowed (with what was given and what is allowed).
 */
export function compileConfig<S extends ConfigKeys>(keys: S, given: Readonly<Record<string, unknown>>, topologyFile = '<topology file>'): ConfigOf<S> {
  const result: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(keys)) if (key.default !== undefined) result[name] = key.default;
  const problems: string[] = [];
  for (const [name, value] of Object.entries(given)) {
    const key = keys[name] ?? ENGINE_CONFIG_KEYS[name];
    if (key === undefined) {
      const near = closestName(name, [...Object.keys(keys), ...Object.keys(ENGINE_CONFIG_KEYS)]);
      const hint = near === undefined ? `the topology takes ${Object.keys(keys).join(', ')}, and the engine's keys` : `did you mean '${near}'?`;
      problems.push(`unknown config key '${name}' (given ${showValue(value)}): ${hint}`);
      continue;
    }
    const checked = checkValue(key, value);
    if (typeof checked === 'string') problems.push(`config '${name}' is ${showValue(value)}: ${checked}`);
    else result[name] = checked.value;
  }
  if (problems.length > 0) {
    const help = `its keys: nimbus local ${topologyFile} --help`;
    throw new SquallError(ErrorCodes.INVALID_CONFIG, problems.length === 1 ? `${problems[0]!} (${help})` : `${problems.length} config values refused (${help}):\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
  return Object.freeze(result) as ConfigOf<S>;
}
