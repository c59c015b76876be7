#!/usr/bin/env node
// `npm test`: the unit tier (beside the code), then the integration and end-to-end tiers (test/),
// bringing up the infrastructure in infra/ first when those tiers exist. Prints one closing line
// `tests: N passed, N failed` over every tier.
//
// Time: the infrastructure starts in the background while the unit tier runs. Test files run two
// at a time (most integration tests wait on Kafka, HDFS and their own schedules, not on the CPU),
// the slowest first so that the two lanes end together. A file whose header says
// `@squall-test exclusive` (it restarts a shared service) runs alone, after the others; one that
// says `@squall-test slow` starts first.
//
// SQUALL_TEST_FILTER=part runs only files whose path contains it; SQUALL_SKIP_INFRA=1 leaves
// infra/ alone (it is already up); SQUALL_TEST_CONCURRENCY=1 runs one file at a time.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, statSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = new Set(process.argv.slice(2));
const skip = new Set(['node_modules', '.git', '.state', 'dist', 'out']);
const concurrency = Number(process.env.SQUALL_TEST_CONCURRENCY ?? 2);

function find(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (skip.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) find(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out.sort();
}

/** The `@squall-test` tags in a file's opening comment. */
function tags(file) {
  const head = readFileSync(join(root, file), 'utf8').slice(0, 4000);
  return new Set([...head.matchAll(/@squall-test\s+([a-z-]+)/g)].map((m) => m[1]));
}

const all = find(root);
const isIntegration = (f) => f.startsWith('test/');
const filter = process.env.SQUALL_TEST_FILTER;
const pick = (files) => (filter ? files.filter((f) => f.includes(filter)) : files);
const unit = pick(all.filter((f) => !isIntegration(f)));
const integration = pick(all.filter(isIntegration));
const exclusive = integration.filter((f) => tags(f).has('exclusive'));
const shared = integration.filter((f) => !exclusive.includes(f));
const slowFirst = [...shared.filter((f) => tags(f).has('slow')), ...shared.filter((f) => !tags(f).has('slow'))];

let passed = 0;
let failed = 0;
let exitCode = 0;

function runTier(name, files, fileConcurrency) {
  if (files.length === 0) return;
  console.log(`\n== ${name}: ${files.length} file(s), ${fileConcurrency} at a time`);
  const started = Date.now();
  const res = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${fileConcurrency}`, ...files],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 256 * 1024 * 1024 },
  );
  process.stdout.write(res.stdout ?? '');
  const count = (label) => Number((res.stdout ?? '').match(new RegExp(`^ℹ ${label} (\\d+)$`, 'm'))?.[1] ?? 0);
  passed += count('pass');
  failed += count('fail') + count('cancelled');
  if (res.status !== 0) exitCode = 1;
  console.log(`== ${name}: done in ${Math.round((Date.now() - started) / 1000)} s`);
}

/**
 * Starts infra/up.sh now, its output going to a file (the unit tier holds this process's event
 * loop meanwhile); the promise settles with its exit status and that output once it ends.
 */
function startInfra() {
  if (args.has('--unit') || integration.length === 0 || process.env.SQUALL_SKIP_INFRA || !existsSync(join(root, 'infra/up.sh'))) return undefined;
  console.log('\n== infrastructure: infra/up.sh, in the background while the unit tier runs');
  const log = join(mkdtempSync(join(tmpdir(), 'squall-test-')), 'infra-up.log');
  const fd = openSync(log, 'w');
  const up = spawn('bash', [join(root, 'infra/up.sh')], { cwd: root, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  return new Promise((resolve) => up.on('close', (status) => resolve({ status, output: readFileSync(log, 'utf8') })));
}

const infra = startInfra();
let infraFailed = false;
runTier('unit', unit, concurrency);
if (!args.has('--unit') && integration.length > 0) {
  if (infra !== undefined) {
    const { status, output } = await infra;
    console.log('\n== infrastructure: infra/up.sh');
    process.stdout.write(output);
    if (status !== 0) {
      console.error('infra/up.sh failed: the integration tier cannot run. See the logs it named above.');
      infraFailed = true;
      exitCode = 1;
      failed += integration.length;
    }
  }
  if (!infraFailed) {
    runTier('integration', slowFirst, concurrency);
    runTier('integration, one file at a time (these restart shared services)', exclusive, 1);
  }
}
console.log(`\ntests: ${passed} passed, ${failed} failed`);
process.exit(exitCode || (failed > 0 ? 1 : 0));
