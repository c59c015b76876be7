/**
 * Topology validation: every mistake gets a stable code and a message that names the component
 * and says how to fix it. Where the typed builder already rejects a mistake at compile time, a
 * `@ts-expect-error` proves it (`npx tsc --noEmit -p .` fails if the typing ever lets it through).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ErrorCodes, SquallError } from '../errors.js';
import { TopologyRuntime } from '../engine/runtime.js';
import { FnBolt, ListSpout } from '../../test/fixtures/components.js';
import { topology } from './builder.js';
import { custom, direct, fields, partialKey, shuffle } from './grouping.js';
import type { ComponentDefinition, TopologyDefinition } from './types.js';
import { TopologyValidationError, validateTopology } from './validate.js';

const spout = () => new ListSpout([]);
const bolt = () => new FnBolt(() => {});
const base = () => topology('t').spout('words', { create: spout, outputs: { default: ['word'], other: ['n'], routed: { fields: ['word'], direct: true } } });

/** Asserts that `build` throws a TopologyValidationError with exactly these [code, component, message] problems. */
function assertProblems(build: () => unknown, expected: [string, string | undefined, RegExp][]): void {
  let thrown: unknown;
  try {
    build();
  } catch (error) {
    thrown = error;
  }
  assert.ok(thrown instanceof TopologyValidationError, `expected a TopologyValidationError, got ${String(thrown)}`);
  assert.ok(thrown instanceof SquallError);
  assert.equal(thrown.code, expected[0]![0]);
  assert.equal(thrown.problems.length, expected.length, thrown.message);
  thrown.problems.forEach((p, i) => {
    const [code, component, message] = expected[i]!;
    assert.equal(p.code, code, p.message);
    assert.equal(p.component, component);
    assert.match(p.message, message);
    assert.ok(thrown.message.includes(`[${code}] ${p.message}`), 'the summary lists every problem');
  });
}

describe('validation errors, each with its code', () => {
  test('unknown component (also a compile error)', () => {
    assertProblems(
      () =>
        base()
          // @ts-expect-error 'nope' is not a declared component
          .bolt('count', { create: bolt, inputs: [{ from: 'nope', grouping: shuffle() }] })
          .build(),
      [[ErrorCodes.UNKNOWN_COMPONENT, 'count', /^bolt 'count' subscribes to unknown component 'nope': declare it before 'count' \(known: words\)$/]],
    );
  });

  test('unknown stream (also a compile error)', () => {
    assertProblems(
      () =>
        base()
          // @ts-expect-error 'nope' is not a stream of 'words'
          .bolt('count', { create: bolt, inputs: [{ from: 'words', stream: 'nope', grouping: shuffle() }] })
          .build(),
      [[ErrorCodes.UNKNOWN_STREAM, 'count', /stream 'nope' of 'words', which 'words' does not declare: declare it in outputs of 'words' \(its streams: default, other, routed\)/]],
    );
  });

  test('fields or partialKey on an undeclared field (also a compile error)', () => {
    assertProblems(
      () =>
        base()
          // @ts-expect-error the stream declares 'word', not 'wrd'
          .bolt('count', { create: bolt, inputs: [{ from: 'words', grouping: fields('wrd') }] })
          // @ts-expect-error 'word' is on the default stream, not on 'other'
          .bolt('split', { create: bolt, inputs: [{ from: 'words', stream: 'other', grouping: partialKey('word') }] })
          .bolt('none', { create: bolt, inputs: [{ from: 'words', grouping: fields() }] })
          .build(),
      [
        [ErrorCodes.UNDECLARED_FIELD, 'count', /^bolt 'count' groups stream 'default' of 'words' by field 'wrd', which that stream does not declare: use one of word, or declare 'wrd'$/],
        [ErrorCodes.UNDECLARED_FIELD, 'split', /groups stream 'other' of 'words' by field 'word', .*use one of n/],
        [ErrorCodes.UNDECLARED_FIELD, 'none', /^bolt 'none' groups 'words' by no field: name at least one of word$/],
      ],
    );
  });

  test('parallelism above the task count', () => {
    assertProblems(
      () => base().bolt('count', { create: bolt, parallelism: 3, tasks: 2, inputs: [{ from: 'words', grouping: shuffle() }] }).build(),
      [[ErrorCodes.PARALLELISM_ABOVE_TASKS, 'count', /^bolt 'count' has 3 executors but only 2 tasks: .*set tasks to at least 3 or lower parallelism$/]],
    );
  });

  test('duplicate id', () => {
    assertProblems(
      () => base().bolt('words', { create: bolt, inputs: [{ from: 'words', grouping: shuffle() }] }).build(),
      [[ErrorCodes.DUPLICATE_ID, 'words', /^component id 'words' is used twice: give each spout and bolt its own id$/]],
    );
  });

  test('missing implementation (also a compile error), and a custom grouping without choose', () => {
    assertProblems(
      () =>
        base()
          // @ts-expect-error create is required
          .bolt('count', { inputs: [{ from: 'words', grouping: shuffle() }] })
          .bolt('pick', { create: bolt, inputs: [{ from: 'words', grouping: { type: 'custom', name: 'x' } as unknown as ReturnType<typeof custom> }] })
          .build(),
      [
        [ErrorCodes.MISSING_IMPLEMENTATION, 'count', /^bolt 'count' has no implementation: give it `create: \(context\) => new MyBolt\(\)`$/],
        [ErrorCodes.MISSING_IMPLEMENTATION, 'pick', /^bolt 'pick' uses a custom grouping on 'words' without a choose function$/],
      ],
    );
  });

  test('direct grouping on a stream that is not direct, and a direct stream without direct()', () => {
    assertProblems(
      () =>
        base()
          .bolt('count', { create: bolt, inputs: [{ from: 'words', grouping: direct() }] })
          .bolt('route', { create: bolt, inputs: [{ from: 'words', stream: 'routed', grouping: shuffle() }] })
          .build(),
      [
        [ErrorCodes.NOT_DIRECT_STREAM, 'count', /^bolt 'count' uses a direct grouping on stream 'default' of 'words', which is not direct: declare it as \{ fields: \[\.\.\.\], direct: true \}$/],
        [ErrorCodes.NOT_DIRECT_STREAM, 'route', /^bolt 'route' subscribes to direct stream 'routed' of 'words' with a shuffle grouping: a direct stream needs direct\(\)$/],
      ],
    );
  });

  test('malformed settings are INVALID_TOPOLOGY, each naming its component', () => {
    assertProblems(
      () =>
        topology('t')
          .spout('1words', { create: spout, parallelism: 0, outputs: { default: ['word', 'word'] } })
          // @ts-expect-error a bolt must subscribe to something
          .bolt('idle', { create: bolt, tasks: 1.5, tickIntervalMs: -5 })
          .build(),
      [
        [ErrorCodes.INVALID_TOPOLOGY, '1words', /^component id '1words' is invalid: use a letter followed by/],
        [ErrorCodes.INVALID_TOPOLOGY, '1words', /^spout '1words' has parallelism 0: use a whole number of executors, 1 or more$/],
        [ErrorCodes.INVALID_TOPOLOGY, '1words', /^spout '1words' has 0 tasks: use a whole number, 1 or more$/],
        [ErrorCodes.INVALID_TOPOLOGY, '1words', /^stream 'default' of '1words' declares field 'word' twice: field names must be unique$/],
        [ErrorCodes.INVALID_TOPOLOGY, 'idle', /^bolt 'idle' has 1\.5 tasks: use a whole number, 1 or more$/],
        [ErrorCodes.INVALID_TOPOLOGY, 'idle', /^bolt 'idle' has tickIntervalMs -5: use a positive number of milliseconds$/],
        [ErrorCodes.INVALID_TOPOLOGY, 'idle', /^bolt 'idle' subscribes to nothing: add inputs: \[\{ from: '<component>', grouping: shuffle\(\) \}\]$/],
      ],
    );
  });

  test('a topology without a spout, or with a bad name', () => {
    const noSpout: TopologyDefinition = { kind: 'squall.topology', name: 'bad name', config: {}, components: [] };
    assert.deepEqual(
      validateTopology(noSpout).map((p) => [p.code, p.message]),
      [
        [ErrorCodes.INVALID_TOPOLOGY, "topology name 'bad name' is invalid: use a letter followed by letters, digits, '_', '.' or '-'"],
        [ErrorCodes.INVALID_TOPOLOGY, "topology 'bad name' has no spout: add one with .spout(id, { create, outputs })"],
      ],
    );
  });
});

describe('valid topologies', () => {
  test('build returns a frozen definition with defaults filled in', () => {
    const def = base().bolt('count', { create: bolt, parallelism: 2, inputs: [{ from: 'words', grouping: fields('word') }] }).build();
    assert.deepEqual(validateTopology(def), []);
    const count = def.components.find((c) => c.id === 'count')!;
    assert.deepEqual([count.parallelism, count.tasks, count.threads, count.inputs[0]!.stream], [2, 2, 0, 'default']);
    assert.deepEqual(def.components[0]!.outputs.routed, { id: 'routed', fields: ['word'], direct: true });
    assert.ok(Object.isFrozen(def) && Object.isFrozen(count) && Object.isFrozen(count.inputs));
  });

  test('a definition built by hand is validated again by the runtime', () => {
    const def = base().bolt('count', { create: bolt, inputs: [{ from: 'words', grouping: shuffle() }] }).build();
    const broken: ComponentDefinition = { ...def.components[1]!, parallelism: 4, tasks: 1 };
    assert.throws(() => new TopologyRuntime({ topology: { ...def, components: [def.components[0]!, broken] } }), {
      name: 'TopologyValidationError',
      code: ErrorCodes.PARALLELISM_ABOVE_TASKS,
    });
  });
});
