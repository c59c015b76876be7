/** The config keys of a topology, as `nimbus local <file> --help` prints them. */
import { type ConfigKey, type ConfigKeys, ENGINE_CONFIG_KEYS, allowedOf, showValue } from '../../core/index.js';

function defaultOf(key: ConfigKey): string {
  if (key.default !== undefined) return typeof key.default === 'string' ? `'${key.default}'` : showValue(key.default);
  return key.defaultText ?? 'not set';
}

function table(keys: ConfigKeys): string {
  const width = Math.max(...Object.keys(keys).map((k) => k.length));
  return Object.entries(keys)
    .map(([name, key]) => `  ${name.padEnd(width)}  ${key.description}\n  ${' '.repeat(width)}  default ${defaultOf(key)}; ${allowedOf(key)}`)
    .join('\n');
}

/** Lists `keys` (undefined: the topology declares none) and the engine's keys, valid everywhere. */
export function configKeysHelp(file: string, keys: ConfigKeys | undefined): string {
  const own =
    keys === undefined
      ? `${file} declares no config keys: it takes any -c key=value, unchecked (declare them with configurable(), see docs/reference/config.md).`
      : `Config keys of ${file} (-c key=value):\n${table(keys)}`;
  return `${own}\n\nEngine keys, valid in every topology (a topology may set its own default):\n${table(ENGINE_CONFIG_KEYS)}`;
}
