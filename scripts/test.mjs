#!/usr/bin/env node
// `npm test`: the unit tier (beside the code), then the integration and end-to-end tiers (test/),
// bringing up the infrastructure in infra/ first when those tiers exist. Prints one closing line
// `tests: N passed, N failed` over every tier.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = new Set(process.argv.slice(2));
const skip = new Set(['node_modules', '.git', '.state', 'dist', 'out']);

function find(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (skip.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) find(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out.sort();
}

const all = find(root);
const isIntegration = (f) => f.startsWith('test/');
const unit = all.filter((f) => !isIntegration(f));
const integration = all.filter(isIntegration);
const filter = process.env.SQUALL_TEST_FILTER;
const pick = (files) => (filter ? files.filter((f) => f.includes(filter)) : files);

let passed = 0;
let failed = 0;
let exitCode = 0;

function runTier(name, files, extra = []) {
  if (files.length === 0) return;
  console.log(`\n== ${name}: ${files.length} file(s)`);
  const res = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=spec', ...extra, ...files],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 256 * 1024 * 1024 },
  );
  process.stdout.write(res.stdout ?? '');
  const count = (label) => Number((res.stdout ?? '').match(new RegExp(`^ℹ ${label} (\\d+)$`, 'm'))?.[1] ?? 0);
  passed += count('pass');
  failed += count('fail') + count('cancelled');
  if (res.status !== 0) exitCode = 1;
}

runTier('unit', pick(unit));
if (!args.has('--unit') && pick(integration).length > 0) {
  if (!process.env.SQUALL_SKIP_INFRA && existsSync(join(root, 'infra/up.sh'))) {
    console.log('\n== infrastructure: infra/up.sh');
    const up = spawnSync('bash', [join(root, 'infra/up.sh')], { cwd: root, stdio: 'inherit' });
    if (up.status !== 0) {
      console.error('infra/up.sh failed: the integration tier cannot run. See the logs it named above.');
      exitCode = 1;
      failed += pick(integration).length;
    }
  }
  if (exitCode === 0 || process.env.SQUALL_SKIP_INFRA) runTier('integration', pick(integration), ['--test-concurrency=1']);
}
console.log(`\ntests: ${passed} passed, ${failed} failed`);
process.exit(exitCode || (failed > 0 ? 1 : 0));
