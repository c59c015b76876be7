/**
 * The topology page of Nimbus's REST API with many components and workers: 200 components
 * (1 spout, 199 bolts in a chain of fan-outs), 4 tasks each, over 50 workers whose synthetic
 * heartbeats carry every task's counters and latency histograms. Measures GET
 * /api/v1/topology/<id> end to end through the HTTP handler (heartbeats parsed from JSON as
 * ZooKeeper gives them, windows fed, rows built, answer serialized), against a baseline in the
 * same run: the same answer's JSON.stringify alone.
 *
 *   node --import tsx bench/rest.ts [--requests 200] [--components 200] [--workers 50]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { DEFAULT_LATENCY_BUCKETS, type TaskNumbers, nullLogger } from '../core/index.js';
import { httpApi } from '../nimbus/daemon/http-api.js';
import type { Nimbus } from '../nimbus/daemon/nimbus.js';

const { values: args } = parseArgs({ options: { requests: { type: 'string', default: '200' }, components: { type: 'string', default: '200' }, workers: { type: 'string', default: '50' } } });
const REQUESTS = Number(args.requests);
const COMPONENTS = Number(args.components);
const WORKERS = Number(args.workers);
const TASKS = 4;

const components = Array.from({ length: COMPONENTS }, (_, i) => ({ id: i === 0 ? 'spout' : `bolt-${i}`, kind: i === 0 ? ('spout' as const) : ('bolt' as const), parallelism: TASKS, tasks: TASKS, cpu: 100, memoryMb: 128, inputs: i === 0 ? [] : [{ from: i === 1 ? 'spout' : `bolt-${Math.floor(i / 2)}`, stream: 'default' }] }));
const executors: Record<string, { supervisor: string; port: number }> = {};
let e = 0;
for (const [ci, c] of [...components].sort((a, b) => (a.id < b.id ? -1 : 1)).entries()) {
  for (let t = 0; t < TASKS; t++) executors[`${c.id}[${ci * TASKS + t + 1}-${ci * TASKS + t + 1}]`] = { supervisor: `sup-${e % 10}`, port: 6700 + (e++ % WORKERS) };
}
const record = { id: 'big-1', name: 'big', status: 'active', workers: WORKERS, executors: {}, components, config: {}, launchedAt: Date.now() - 60_000, bundle: 'x' };
const assignment = { epoch: 1, executors };

let tick = 0;
function beats(): Map<string, string> {
  tick++;
  const byWorker = new Map<string, TaskNumbers[]>();
  let task = 1;
  for (const c of [...components].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    for (let t = 0; t < TASKS; t++, task++) {
      const w = `sup-${(task - 1) % 10}-${6700 + ((task - 1) % WORKERS)}`;
      const n = tick * 1000 + task;
      const counts = DEFAULT_LATENCY_BUCKETS.map((_, i) => (i === 4 ? n : 0)).concat([0]);
      const numbers: TaskNumbers = { component: c.id, task, kind: c.kind, emitted: n, transferred: n, errorRecords: 0, executed: n, acked: n, failed: { error: tick, explicit: 0, timeout: 0 }, pending: 10, queued: 5, capacity: 0.3, executeSeconds: n / 1e5, throttledSeconds: {}, latency: c.kind === 'spout' ? { complete: { count: n, sum: n * 0.001, counts } } : { execute: { count: n, sum: n * 0.0001, counts }, process: { count: n, sum: n * 0.0001, counts } } };
      (byWorker.get(w) ?? byWorker.set(w, []).get(w)!).push(numbers);
    }
  }
  const now = Date.now();
  return new Map([...byWorker].map(([w, tasks]) => [w, JSON.stringify({ worker: w.replace(/-(\d+)$/, ':$1'), epoch: 1, time: now, startedAt: 1, executors: [], components: {}, pending: 0, tasks })]));
}

let stored = beats();
const nimbus = {
  version: 'bench',
  find: async () => record,
  supervisors: async () => Array.from({ length: 10 }, (_, i) => ({ id: `sup-${i}`, host: `host-${i}`, slots: [], cpu: 800, memoryMb: 8192, startedAt: 0 })),
  state: {
    assignment: async () => assignment,
    // As ZooKeeper hands them over: JSON to parse.
    workerBeats: async () => new Map([...stored].map(([k, v]) => [k, JSON.parse(v)])),
    errorComponents: async () => [],
    errors: async () => [],
  },
} as unknown as Nimbus;

const server = createServer(httpApi({ nimbus, token: 'bench', logger: nullLogger }));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/topology/big`;

const wall: number[] = [];
const cpu: number[] = [];
const base: number[] = [];
let size = 0;
for (let i = 0; i < REQUESTS; i++) {
  if (i % 5 === 0) stored = beats();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const res = await fetch(url);
  const text = await res.text();
  wall.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1000);
  if (res.status !== 200) throw new Error(`status ${res.status}: ${text.slice(0, 200)}`);
  size = text.length;
  const parsed = JSON.parse(text) as unknown;
  const b0 = performance.now();
  JSON.stringify(parsed);
  base.push(performance.now() - b0);
}
server.close();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.99)]!;
console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`);
console.log(`${COMPONENTS} components x ${TASKS} tasks on ${WORKERS} workers; ${REQUESTS} requests; answer ${(size / 1024).toFixed(0)} KiB`);
console.log(`topology page: median ${median(wall).toFixed(1)} ms, p99 ${p99(wall).toFixed(1)} ms wall; median ${median(cpu).toFixed(1)} ms CPU`);
console.log(`baseline (JSON.stringify of the answer alone): median ${median(base).toFixed(2)} ms; page/baseline ${(median(wall) / median(base)).toFixed(1)}x`);
