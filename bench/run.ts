/**
 * `npm run bench`: every registered benchmark (bench/benchmarks.ts) in interleaved rounds, each
 * case a child process per round; then a dated section appended to bench/RESULTS.md (command,
 * machine, median/min/max, ratios) and the charts bench/throughput.svg and bench/memory.svg.
 *
 *   npm run bench                                   # everything, 5 rounds (40-50 minutes on a shared 2-core machine; Storm is most of it)
 *   npm run bench -- --only engine                  # one benchmark (repeatable, or comma-separated)
 *   npm run bench -- --quick --rounds 2 --no-write  # a check of the harness: short runs, nothing written
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import './benchmarks.js';
import { runChild } from './harness/child.js';
import { type ChartGroup, chartGroups, rssChart, throughputChart } from './harness/chart.js';
import { machineLine } from './harness/machine.js';
import { type BenchCase, registeredBenchmarks } from './harness/registry.js';
import { renderSection } from './harness/report.js';
import { type BenchmarkResult, type CaseRuns, computeRatio, steadyRss, summarizeCase } from './harness/results.js';
import { cpuNsPerTuple, throughput } from './harness/stats.js';
import { engineSize } from './peers/squall.js';
import { qtopologySize } from './peers/qtopology.js';
import { stormWindow } from './peers/storm.js';
import { webrequestSize } from './peers/webrequest.js';

const { values: args } = parseArgs({
  options: {
    only: { type: 'string', multiple: true, default: [] },
    rounds: { type: 'string', default: '5' },
    quick: { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    list: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
});
const all = registeredBenchmarks();
if (args.help || args.list) {
  console.log(`usage: npm run bench [-- --only NAME[,NAME]] [--rounds N] [--quick] [--no-write] [--list]

  --only NAME   run these benchmarks only: ${all.map((b) => b.name).join(', ')}
  --rounds N    interleaved rounds, every case once per round (default 5; the report needs 5)
  --quick       short runs, to check the harness (numbers not worth recording)
  --no-write    print the section instead of appending it to bench/RESULTS.md; no charts
  --list        list the benchmarks and their cases`);
  if (args.list) for (const b of all) console.log(`\n${b.name}: ${b.title}\n${b.cases.map((c) => `  ${c.id}  (${c.system}: ${c.label})`).join('\n')}`);
  process.exit(0);
}
const only = args.only.flatMap((s) => s.split(',')).filter((s) => s !== '');
for (const name of only) {
  if (!all.some((b) => b.name === name)) {
    console.error(`no benchmark '${name}': pick from ${all.map((b) => b.name).join(', ')}`);
    process.exit(2);
  }
}
const rounds = Number(args.rounds);
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error(`--rounds ${args.rounds}: give a whole number of rounds, 1 or more (5 for a recorded result)`);
  process.exit(2);
}
if (args.quick) {
  Object.assign(engineSize, { squall: 200_000, loop: 2_000_000, latencySeconds: 1 });
  Object.assign(stormWindow, { warmup: 2, seconds: 3 });
  Object.assign(qtopologySize, { tuples: 20_000 });
  Object.assign(webrequestSize, { records: 20_000 });
}
const selected = only.length === 0 ? all : all.filter((b) => only.includes(b.name));

// One entry per case id, however many benchmarks list it.
const cases = new Map<string, BenchCase>();
for (const b of selected) for (const c of b.cases) cases.set(c.id, c);
const runs = new Map<string, CaseRuns>([...cases.values()].map((c) => [c.id, { case: c, measurements: [], errors: [], peakRssMiB: [], steadyRssMiB: [], lastTrace: [] }]));

const machine = machineLine();
const started = new Date();
for (const c of new Set([...cases.values()].map((c) => c.prepare).filter((p) => p !== undefined))) await c!();

const order = [...cases.values()];
for (let r = 0; r < rounds; r++) {
  const rotated = [...order.slice(r % order.length), ...order.slice(0, r % order.length)];
  for (const c of rotated) {
    const { argv, cwd } = c.command();
    const result = await runChild(argv, { ...(cwd === undefined ? {} : { cwd }), timeoutMs: 10 * 60_000 });
    const entry = runs.get(c.id)!;
    if (result.measurement === undefined) {
      entry.errors.push(result.error ?? 'no measurement');
      process.stderr.write(`round ${r + 1}/${rounds} ${c.id}: FAILED ${result.error}\n`);
      continue;
    }
    const m = result.measurement;
    entry.measurements.push(m);
    const peak = Math.max(result.peakRssMiB ?? 0, m.maxRssMiB ?? 0);
    if (peak > 0) entry.peakRssMiB.push(peak);
    entry.steadyRssMiB.push(steadyRss(result.rss));
    entry.lastTrace = result.rss;
    process.stderr.write(`round ${r + 1}/${rounds} ${c.id.padEnd(26)} ${Math.round(throughput(m)).toLocaleString('en-US').padStart(12)} /s  CPU ${cpuNsPerTuple(m).toFixed(0).padStart(7)} ns  peak RSS ${peak > 0 ? peak.toFixed(0) : '?'} MiB\n`);
  }
}

const summaries = new Map([...runs.values()].map((r) => [r.case.id, summarizeCase(r)]));
const results: BenchmarkResult[] = selected.map((b) => ({
  benchmark: b,
  cases: b.cases.map((c) => summaries.get(c.id)!),
  ratios: b.ratios.map((q) => computeRatio(q, summaries)),
}));

const root = join(import.meta.dirname, '..');
const head = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return 'no git';
  }
})();
const date = `${started.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
const subtitle = `${date}, ${head}; ${machine.split(';')[0]}; ${rounds} rounds${args.quick ? ', --quick' : ''}`;
const charts: string[] = [];
if (!args['no-write']) {
  // The chart shows the latest run of every benchmark, so `--only NAME` updates its own bars.
  const latestFile = join(root, 'bench', 'latest-results.json');
  const latest = { ...(existsSync(latestFile) ? (JSON.parse(readFileSync(latestFile, 'utf8')) as Record<string, ChartGroup>) : {}), ...chartGroups(results, `${date}, ${head}`) };
  writeFileSync(latestFile, `${JSON.stringify(latest, null, 1)}\n`);
  // Memory's records/s and latency's rate-limited runs are not throughput comparisons.
  const groups = all.filter((b) => b.name !== 'memory' && b.name !== 'latency').map((b) => latest[b.name]).filter((g): g is ChartGroup => g !== undefined);
  writeFileSync(join(root, 'bench', 'throughput.svg'), throughputChart(groups, `${machine.split(';')[0]}; medians of ${rounds} interleaved rounds`));
  charts.push('throughput.svg');
  const traced = [...runs.values()].filter((r) => r.lastTrace.length > 1 && (r.case.id === 'webrequest-local' || r.case.id === 'squall-acked-1' || r.case.id.startsWith('storm-acked-1-tuned')));
  if (traced.length > 0) {
    writeFileSync(join(root, 'bench', 'memory.svg'), rssChart(traced.map((r) => ({ label: `${r.case.system}: ${r.case.label}`, system: r.case.system, samples: r.lastTrace })), subtitle));
    charts.push('memory.svg');
  }
}
const section = renderSection({ date, command, machine, rounds, head, charts }, results);
if (args['no-write']) console.log(section);
else {
  appendFileSync(join(root, 'bench', 'RESULTS.md'), `\n${section}`);
  console.log(section);
  console.error(`appended to bench/RESULTS.md; charts: ${charts.map((c) => `bench/${c}`).join(', ')}`);
}
