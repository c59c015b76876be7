/**
 * Config is checked before anything runs (issue #12): each bad `-c` value a new user tried exits 2
 * with a message that names the key, what was given and what is allowed, and writes nothing.
 */
import assert from 'node:assert/strict';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoTempDir, runNimbus } from '../support/nimbus.js';

/** Each bad value, and what the message must say of it besides the key. */
const BAD_VALUES: readonly (readonly [string, RegExp])[] = [
  ['format=parquet', /config 'format' is "parquet": use one of 'avro', 'ndjson'/],
  ['records=-5', /config 'records' is -5: use a whole number, 1 or more/],
  ['alertPercentLost=abc', /config 'alertPercentLost' is "abc": use a number from 0 to 100/],
  ['frobnicate=1', /unknown config key 'frobnicate' \(given 1\): the topology takes input, follow, records/],
  ['threads=abc', /config 'threads' is "abc": use a whole number from 0 to 256/],
  ['threads=-1', /config 'threads' is -1: use a whole number from 0 to 256/],
  ['threads=1.5', /config 'threads' is 1.5: use a whole number from 0 to 256/],
  ['records=abc', /config 'records' is "abc": use a whole number, 1 or more/],
  ['saltRotationMs=0', /config 'saltRotationMs' is 0: use a whole number, 1000 or more/],
  ['input=/nonexistent', /config 'input' is "\/nonexistent": use 'generator', 'kafka', '-' \(stdin\), or an existing file, directory or glob/],
  ['hdfs=notaurl', /config 'hdfs' is "notaurl": use a WebHDFS URL such as http:\/\/127.0.0.1:9870/],
  ['formt=ndjson', /unknown config key 'formt' \(given "ndjson"\): did you mean 'format'\?/],
  ['format=ndjosn', /config 'format' is "ndjosn": use one of 'avro', 'ndjson' \(did you mean 'ndjson'\?\)/],
  ['eventTimeReference=wallclock', /config 'eventTimeReference' is "wallclock": use one of 'wall-clock', 'stream' \(did you mean 'wall-clock'\?\)/],
  ['maxSpoutPending=0', /config 'maxSpoutPending' is 0: use a whole number, 1 or more/],
];

test('each bad -c value of the webrequest topology exits 2 before anything runs, naming the key, the value and what is allowed', async (t) => {
  const dir = repoTempDir('config-validation');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const output = join(dir, 'out');
  for (const [given, message] of BAD_VALUES) {
    const r = await runNimbus(['local', 'topologies/webrequest.ts', '--no-typecheck', '-q', '-d', '30', '-c', `output=${output}`, '-c', given]);
    assert.equal(r.code, 2, `-c ${given}: exit ${r.code}\n${r.stderr}`);
    assert.match(r.stderr, message, `-c ${given}`);
    assert.match(r.stderr, /its keys: nimbus local topologies\/webrequest.ts --help/, `-c ${given}`);
    assert.doesNotMatch(r.stdout, /stopped after/, `-c ${given}: the topology ran`);
    assert.equal(existsSync(output), false, `-c ${given}: the run wrote ${output}`);
  }
});

test('several bad values are refused together, one line each', async () => {
  const r = await runNimbus(['local', 'topologies/kafka-to-hdfs.ts', '--no-typecheck', '-q', '-c', 'valueFormat=xml', '-c', 'skipCommitted=maybe', '-c', 'topcis=a']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /3 config values refused/);
  assert.match(r.stderr, /^ {2}config 'valueFormat' is "xml": use one of 'json', 'avro'$/m);
  assert.match(r.stderr, /^ {2}config 'skipCommitted' is "maybe": use true or false$/m);
  assert.match(r.stderr, /^ {2}unknown config key 'topcis' \(given "a"\): did you mean 'topics'\?$/m);
});

test('nimbus local <file> --help lists the topology keys with defaults and descriptions, and the engine keys', async () => {
  const r = await runNimbus(['local', 'topologies/webrequest.ts', '--help']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Usage: nimbus local/);
  assert.match(r.stdout, /Config keys of topologies\/webrequest.ts/);
  assert.match(r.stdout, /^ {2}format +refined output format.*\n +default 'avro'; one of 'avro', 'ndjson'$/m);
  assert.match(r.stdout, /^ {2}threads +refine threads; 0 refines on the main thread\n +default the cores but one; a whole number from 0 to 256$/m);
  assert.match(r.stdout, /^ {2}records +generator: requests to generate\n +default 100000; a whole number, 1 or more$/m);
  assert.match(r.stdout, /^ {2}eventTimeReference /m);
  assert.match(r.stdout, /Engine keys, valid in every topology[^\n]*\n(.*\n)* {2}messageTimeoutMs /);
  const words = await runNimbus(['local', 'examples/word-count.ts', '--help']);
  assert.match(words.stdout, /^ {2}sentences +sentences to generate\n +default 100000; a whole number, 1 or more$/m);
});

test('a topology that declares no keys takes any key, and a config error it raises while being made exits 2, not 3', async (t) => {
  const dir = repoTempDir('config-undeclared');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'topology.ts');
  writeFileSync(
    file,
    `import { configNumber, shuffle, topology } from '../../core/index.js';
import { GeneratorSpout } from '../../spouts/generator/generator-spout.js';
export default (config: Readonly<Record<string, unknown>>) => {
  const limit = configNumber(config, 'count', 10);
  return topology('undeclared')
    .spout('numbers', { create: () => new GeneratorSpout({ next: (i) => [i], limit }), outputs: { default: ['n'], errors: ['value', 'reason', 'origin'] } })
    .bolt('sink', { create: () => ({ execute() {} }), inputs: [{ from: 'numbers', grouping: shuffle() }] })
    .build();
};
`,
  );
  const bad = await runNimbus(['local', file, '--no-typecheck', '-q', '-c', 'count=abc']);
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /^nimbus local: config 'count' is "abc": use a number\nNothing ran\.$/m);
  const help = await runNimbus(['local', file, '--help']);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /declares no config keys: it takes any -c key=value, unchecked/);
});

test('nimbus submit checks the config against the same declaration before it contacts Nimbus', async () => {
  // Port 1: nothing listens, so reaching Nimbus at all would end in exit 5, not 2.
  const r = await runNimbus(['submit', 'topologies/webrequest.ts', '--no-typecheck', '--nimbus', '127.0.0.1:1', '--token', 'unused', '-c', 'threads=1.5']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^nimbus submit: config 'threads' is 1.5: use a whole number from 0 to 256 .*\nNothing was submitted\.$/m);
  assert.doesNotMatch(r.stderr, /bundled/);
});

test('nimbus generate names the flag the user typed, never the option it feeds, and exits 2', async () => {
  for (const [args, message] of [
    [['--malformed', '2'], /^nimbus generate: --malformed must be a share from 0 to 1, such as 0\.01; got '2'$/m],
    [['--start', 'yesterday'], /^nimbus generate: --start must be an ISO-8601 time such as 2026-11-22T10:00:00Z; got 'yesterday'$/m],
    [['--seed', 'abc'], /^nimbus generate: --seed must be a whole number/m],
  ] as const) {
    const r = await runNimbus(['generate', '-n', '1', ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stdout, '', 'nothing generated');
  }
});
