import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_TOPOLOGY_CONFIG, compileTopologyConfig, parseConfigOverride } from './config.js';
import { ErrorCodes } from './errors.js';
import { TopologyRuntime } from './engine/runtime.js';
import { shuffle } from './topology/grouping.js';
import { topology } from './topology/builder.js';
import { FnBolt, ListSpout } from '../test/fixtures/components.js';

describe('compileTopologyConfig', () => {
  test('fills in the defaults, later layers win, unknown keys are kept for components', () => {
    const config = compileTopologyConfig({ maxSpoutPending: 10, input: 'a.ndjson' }, undefined, { maxSpoutPending: 20 });
    assert.deepEqual(config, { ...DEFAULT_TOPOLOGY_CONFIG, maxSpoutPending: 20, input: 'a.ndjson' });
    assert.ok(Object.isFrozen(config));
    assert.deepEqual(compileTopologyConfig(), DEFAULT_TOPOLOGY_CONFIG);
  });

  const cases: [Record<string, unknown>, string][] = [
    [{ acking: 'yes' }, `config 'acking' is "yes": use true or false`],
    [{ maxSpoutPending: 0 }, `config 'maxSpoutPending' is 0: use a whole number, 1 or more`],
    [{ queueCapacity: 1.5 }, `config 'queueCapacity' is 1.5: use a whole number, 1 or more`],
    [{ batchSize: '64' }, `config 'batchSize' is "64": use a whole number, 1 or more`],
    [{ workers: -1 }, `config 'workers' is -1: use a whole number, 1 or more`],
    [{ messageTimeoutMs: 0 }, `config 'messageTimeoutMs' is 0: use a positive number of milliseconds`],
    [{ shutdownTimeoutMs: Infinity }, `config 'shutdownTimeoutMs' is Infinity: use a positive number of milliseconds`],
    [{ spoutIdleMaxMs: NaN }, `config 'spoutIdleMaxMs' is NaN: use a positive number of milliseconds`],
    [{ queueCapacity: 16, batchSize: 32 }, `config 'batchSize' is 32: keep it at or below queueCapacity (16)`],
  ];
  for (const [layer, message] of cases) {
    test(`INVALID_CONFIG when ${message.split(':')[0]}, saying how to fix it`, () => {
      assert.throws(() => compileTopologyConfig(layer), { code: ErrorCodes.INVALID_CONFIG, message });
    });
  }

  test('the runtime compiles the topology config under its -c overrides', () => {
    const def = topology('cfg', { queueCapacity: 64 })
      .spout('src', { create: () => new ListSpout([]), outputs: { default: ['i'] } })
      .bolt('sink', { create: () => new FnBolt(() => {}), inputs: [{ from: 'src', grouping: shuffle() }] })
      .build();
    assert.equal(new TopologyRuntime({ topology: def, config: { batchSize: 64 } }).config.batchSize, 64);
    assert.throws(() => new TopologyRuntime({ topology: def, config: { batchSize: 65 } }), {
      code: ErrorCodes.INVALID_CONFIG,
      message: `config 'batchSize' is 65: keep it at or below queueCapacity (64)`,
    });
  });
});

describe('parseConfigOverride', () => {
  test('reads JSON values, and anything else as a string', () => {
    assert.deepEqual(parseConfigOverride('a=1'), ['a', 1]);
    assert.deepEqual(parseConfigOverride('input=x.ndjson'), ['input', 'x.ndjson']);
    assert.deepEqual(parseConfigOverride('acking=false'), ['acking', false]);
    assert.deepEqual(parseConfigOverride('hosts=["a","b"]'), ['hosts', ['a', 'b']]);
    assert.deepEqual(parseConfigOverride('query=a=b'), ['query', 'a=b']);
    assert.deepEqual(parseConfigOverride(' padded =2'), ['padded', 2]);
    assert.deepEqual(parseConfigOverride('empty='), ['empty', '']);
  });

  test('rejects text that is not key=value, with an example', () => {
    for (const text of ['noequals', '=1', '']) {
      assert.throws(() => parseConfigOverride(text), {
        code: ErrorCodes.INVALID_CONFIG,
        message: `config override '${text}' is not key=value: write it as -c maxSpoutPending=500`,
      });
    }
  });
});
