/**
 * The code a new user copies: docs/first-topology.md's TypeScript blocks, in order, as one file,
 * and the README's topology file, each type-checked and run by `nimbus local` as they stand. The
 * guide's shown output is checked against the run's.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { REPO_ROOT, runNimbus } from '../support/nimbus.js';

/** The code blocks of a markdown file in the given language, in order. */
function codeBlocks(file: string, language: string): string[] {
  const text = readFileSync(join(REPO_ROOT, file), 'utf8');
  return [...text.matchAll(new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))].map((m) => m[1]!);
}

const written: string[] = [];
after(() => written.forEach((f) => rmSync(f, { force: true })));

/**
 * Writes `code` where the docs say to save it, one folder under the repository (examples/), so
 * its `../core/index.js` imports resolve as written: under out/, which git ignores.
 */
function save(code: string, name: string): string {
  const dir = join(REPO_ROOT, 'out');
  // A fresh clone has no out/ (git ignores it): make it.
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}-${randomBytes(4).toString('hex')}.ts`);
  writeFileSync(path, code);
  written.push(path);
  return path;
}

test('docs/first-topology.md: its code, as one file, type-checks and runs to the output the guide shows', { timeout: 180_000 }, async () => {
  const file = save(codeBlocks('docs/first-topology.md', 'ts').join('\n'), 'first-topology');
  for (const command of codeBlocks('docs/first-topology.md', 'sh')) assert.equal(command.trim(), 'npx nimbus local examples/first-topology.ts', 'the commands the guide shows');
  const r = await runNimbus(['local', file, '-q']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const [shown] = codeBlocks('docs/first-topology.md', 'text');
  const [logLine, , headline, ...table] = shown!.trimEnd().split('\n');
  assert.ok(r.stderr.includes(logLine!.replace(/ …$/, '')), `the guide's log line, in:\n${r.stderr}`);
  assert.match(r.stdout, new RegExp(headline!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace('0\\.0 s', '[\\d.]+ s')));
  for (const row of table) assert.ok(r.stdout.includes(row), `row '${row}' in:\n${r.stdout}`);
});

test("the README's topology file type-checks and runs, every tuple acked", { timeout: 180_000 }, async () => {
  const [code] = codeBlocks('README.md', 'ts');
  const file = save(code!, 'readme-topology');
  const r = await runNimbus(['local', file, '-q']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Topology 'my-word-count' stopped after [\d.]+ s: input exhausted, every tuple acked\./);
  assert.match(r.stderr, /\bthe=100001\b/, 'every copy of a word counted by one task');
});
