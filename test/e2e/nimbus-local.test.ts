/** `nimbus local` as a user runs it: real processes, exit codes, and what they print. */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoTempDir, runNimbus } from '../support/nimbus.js';

const run = runNimbus;

function topologyFile(t: { after(fn: () => void): void }, source: string): string {
  const dir = repoTempDir('e2e');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'topology.ts');
  writeFileSync(file, source);
  return file;
}

const INFINITE = `
import { topology, shuffle } from '../../core/index.js';
import { GeneratorSpout } from '../../spouts/generator/generator-spout.js';
export default topology('forever')
  .spout('numbers', { create: () => new GeneratorSpout({ next: (i) => [i] }), outputs: { default: ['n'], errors: ['value', 'reason', 'origin'] } })
  .bolt('sink', { create: () => ({ execute() {} }), inputs: [{ from: 'numbers', grouping: shuffle() }] })
  .build();
`;

test('word count runs to the end of its input, prints the counts and a summary, and exits 0', async () => {
  const r = await run(['local', 'examples/word-count.ts', '--no-typecheck', '-c', 'sentences=5000']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /top words: the=4000 and=2000 seven=2000/);
  assert.match(r.stdout, /Topology 'word-count' stopped after [\d.]+ s: input exhausted, every tuple acked\./);
  assert.match(r.stdout, /sentences\s+spout\s+5,000\s+-\s+5,000\s+0/);
});

test('a type error is shown as file:line before anything runs, with exit code 3', async (t) => {
  const file = topologyFile(t, INFINITE.replace("grouping: shuffle() }] })\n  .build();", "grouping: shuffle() }] })\n  .build();\nconst n: number = 'text';\n"));
  const r = await run(['local', file]);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /topology\.ts:8:7 - error TS2322: Type 'string' is not assignable to type 'number'\./);
});

test('a syntax error is shown with its file and line even without type-checking', async (t) => {
  const file = topologyFile(t, `${INFINITE}\nexport const broken = {;\n`);
  const r = await run(['local', file, '--no-typecheck']);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /could not be loaded: .*topology\.ts:9:23: ERROR: Expected identifier but found ";"/s);
});

test('an invalid topology prints every problem with its code, and exits 3', async (t) => {
  const file = topologyFile(t, INFINITE.replace("from: 'numbers'", "from: 'numbrs' as 'numbers'"));
  const r = await run(['local', file, '--no-typecheck']);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /\[SQUALL_ERR_UNKNOWN_COMPONENT\] bolt 'sink' subscribes to unknown component 'numbrs'/);
});

test('--duration stops an endless topology with a summary and exit 0', async (t) => {
  const file = topologyFile(t, INFINITE);
  const r = await run(['local', file, '--no-typecheck', '--duration', '1', '--status-interval', '0.2']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /stopped after [\d.]+ s: duration of 1 s reached\./);
  assert.match(r.stderr, /emitted [\d,]+ \([1-9][\d,]*\/s\)\s+acked [\d,]+ \([1-9][\d,]*\/s\)/, 'a status line with rates was printed');
});

test('Ctrl-C drains and prints the summary; exit 0', async (t) => {
  const file = topologyFile(t, INFINITE);
  let sent = false;
  const r = await run(['local', file, '--no-typecheck', '--status-interval', '0.2'], (text, child) => {
    if (!sent && /emitted [\d,]+/.test(text)) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /interrupted: draining in-flight tuples/);
  assert.match(r.stdout, /stopped after [\d.]+ s: interrupted\./);
});

test('usage mistakes exit 2 and say how to get help; --help exits 0', async () => {
  const none = await run(['local']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /name a topology file/);
  const bad = await run(['local', 'examples/word-count.ts', '-c', 'novalue']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /config override 'novalue' is not key=value/);
  const unknown = await run(['frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command 'frobnicate'/);
  for (const args of [['--help'], ['local', '--help'], ['generate', '--help']]) {
    const help = await run(args);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: nimbus/);
  }
  // The help promises only what exists: every command it lists has its own help.
  const listed = [...(await run(['--help'])).stdout.matchAll(/^ {2}([a-z-]+) {2,}/gm)].map((m) => m[1]!);
  assert.ok(listed.length >= 2, `commands listed: ${listed.join(', ')}`);
  for (const command of listed) assert.equal((await run([command, '--help'])).code, 0, `nimbus ${command} --help`);
  assert.doesNotMatch((await run(['--help'])).stdout, /submit and watch/);
});

test('a bad config value exits 2 with the fix', async () => {
  const r = await run(['local', 'examples/word-count.ts', '--no-typecheck', '-c', 'maxSpoutPending=0']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /config 'maxSpoutPending' is 0: use a whole number, 1 or more/);
});
