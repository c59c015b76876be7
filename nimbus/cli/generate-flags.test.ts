import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FlagError, generatorFlags } from './generate-flags.js';

const INTERNAL = /malformedShare|lossShare|startMs|recordsPerSecond/;

test('every number flag of nimbus generate is refused by its own name, with what it allows and what was given', () => {
  const bad: [string, string, RegExp][] = [
    ['records', '1.5', /^--records must be a whole number from 0 up, such as 100000; got '1\.5'$/],
    ['records', 'abc', /^--records must be/],
    ['seed', 'abc', /^--seed must be a whole number from 0 to 4,294,967,295, such as 1; got 'abc'$/],
    ['hosts', '0', /^--hosts must be a whole number from 1 to 10,000, such as 8; got '0'$/],
    ['malformed', '2', /^--malformed must be a share from 0 to 1, such as 0\.01; got '2'$/],
    ['loss', '-0.1', /^--loss must be a share from 0 to 1/],
    ['start', 'yesterday', /^--start must be an ISO-8601 time such as 2026-11-22T10:00:00Z; got 'yesterday'$/],
    ['start', '2026-13-45T00:00:00Z', /^--start must be an ISO-8601 time/],
    ['rate', '0', /^--rate must be lines per second of event time, above 0, such as 1000; got '0'$/],
    ['rate', '', /^--rate must be/],
  ];
  for (const [flag, value, message] of bad) {
    assert.throws(() => generatorFlags({ [flag]: value }), (error: Error) => {
      assert.ok(error instanceof FlagError, `${flag}=${value}: a FlagError`);
      assert.match(error.message, message);
      assert.doesNotMatch(error.message, INTERNAL, 'no internal option name');
      return true;
    });
  }
});

test('good flags become the generator options; none given is the defaults', () => {
  assert.deepEqual(generatorFlags({ records: '10', seed: '3', hosts: '2', malformed: '0.5', loss: '0', start: '2026-01-01T00:00:00Z', rate: '20' }), {
    records: 10,
    options: { seed: 3, hosts: 2, malformedShare: 0.5, lossShare: 0, startMs: Date.UTC(2026, 0, 1), recordsPerSecond: 20 },
  });
  assert.deepEqual(generatorFlags({}), { records: 100_000, options: {} });
});
