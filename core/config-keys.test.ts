import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closestName } from './closest-name.js';
import { DEFAULT_TOPOLOGY_CONFIG } from './config.js';
import { ENGINE_CONFIG_KEYS, compileConfig, configKeys } from './config-keys.js';
import { SquallError } from './errors.js';

const KEYS = configKeys({
  records: { type: 'integer', min: 1, default: 100, description: 'records' },
  share: { type: 'number', min: 0, max: 1, default: 0.5, description: 'a share' },
  format: { type: 'string', values: ['avro', 'ndjson'], default: 'avro', description: 'format' },
  groupId: { type: 'string', description: 'group' },
  follow: { type: 'boolean', default: false, description: 'follow' },
  even: { type: 'integer', check: (n) => (n % 2 === 0 ? undefined : 'an even number'), description: 'even' },
});

function refused(given: Record<string, unknown>, message: RegExp): void {
  assert.throws(() => compileConfig(KEYS, given, 'topo.ts'), (e: unknown) => e instanceof SquallError && e.code === 'SQUALL_ERR_INVALID_CONFIG' && message.test(e.message));
}

test('the declared defaults, with the given values over them; engine keys pass; text keys take numbers as text', () => {
  const config = compileConfig(KEYS, { records: 5, groupId: 123, follow: 'true', maxSpoutPending: 10 });
  assert.deepEqual({ ...config }, { records: 5, share: 0.5, format: 'avro', groupId: '123', follow: true, maxSpoutPending: 10 });
  assert.equal(config.even, undefined);
});

test('a bad value names the key, what was given and what is allowed', () => {
  refused({ records: 0 }, /^config 'records' is 0: use a whole number, 1 or more \(its keys: nimbus local topo.ts --help\)$/);
  refused({ records: 1.5 }, /config 'records' is 1.5: use a whole number, 1 or more/);
  refused({ share: 'abc' }, /config 'share' is "abc": use a number from 0 to 1/);
  refused({ share: NaN }, /config 'share' is NaN/);
  refused({ format: 'parquet' }, /config 'format' is "parquet": use one of 'avro', 'ndjson' \(/);
  refused({ format: 'ndjsn' }, /use one of 'avro', 'ndjson' \(did you mean 'ndjson'\?\)/);
  refused({ follow: 'yes' }, /config 'follow' is "yes": use true or false/);
  refused({ groupId: { a: 1 } }, /config 'groupId' is \{"a":1\}: use text/);
  refused({ even: 3 }, /config 'even' is 3: use an even number/);
  refused({ batchSize: 0 }, /config 'batchSize' is 0: use a whole number, 1 or more/);
});

test('an unknown key gets the nearest name, or the list of keys; every problem is listed at once', () => {
  refused({ recods: 5 }, /unknown config key 'recods' \(given 5\): did you mean 'records'\?/);
  refused({ MAXSPOUTPENDING: 5 }, /did you mean 'maxSpoutPending'\?/);
  refused({ frobnicate: 1 }, /unknown config key 'frobnicate' \(given 1\): the topology takes records, share, format, groupId, follow, even, and the engine's keys/);
  refused({ records: -1, frobnicate: 1 }, /^2 config values refused \(its keys: nimbus local topo.ts --help\):\n {2}config 'records' is -1: .*\n {2}unknown config key 'frobnicate'/);
});

test('closestName: a typo within about one edit per four characters, or a difference of case', () => {
  assert.equal(closestName('fromat', ['format', 'output']), 'format');
  assert.equal(closestName('Output', ['format', 'output']), 'output');
  assert.equal(closestName('parquet', ['avro', 'ndjson']), undefined);
  assert.equal(closestName('ab', ['xy']), undefined);
});

test('every engine config key is declared, so -c accepts it with any topology', () => {
  assert.deepEqual(Object.keys(DEFAULT_TOPOLOGY_CONFIG).filter((k) => !(k in ENGINE_CONFIG_KEYS)), []);
});
