/**
 * The limit for the ConstSpout → IdBolt → NullBolt shape: the same three calls per tuple in a
 * plain loop, no engine, no queues. With `--acking on` each tuple also gets Storm's XOR acking
 * done inline: a root slot, a random 32+32-bit edge id per emit, XORed in on emit and on ack,
 * and the spout's ack when the XOR is zero. Prints one JSON line (tuples, wallMs, cpuMs).
 *
 *   node --import tsx bench/peers/bare-loop.ts [--acking on|off] [--tuples 20000000]
 */
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: { acking: { type: 'string', default: 'on' }, tuples: { type: 'string', default: '20000000' }, help: { type: 'boolean', short: 'h' } },
});
if (args.help) {
  console.log('usage: node --import tsx bench/peers/bare-loop.ts [--acking on|off] [--tuples N]');
  process.exit(0);
}
const acking = args.acking === 'on';

/** xorshift32: a cheap random edge id, as cheap as the engine's can be. */
let seed = 0x9e3779b9 | 0;
function random32(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed | 1; // never zero, so an edge always changes the XOR
}

const SLOTS = 8192;
const hi = new Int32Array(SLOTS);
const lo = new Int32Array(SLOTS);
const free: number[] = Array.from({ length: SLOTS }, (_, i) => i);
let acked = 0;
let dropped = 0;

function spoutAck(_msgId: number): void {
  acked++;
}
/** The three components' calls: the spout's tuple, the id bolt's copy, the null bolt's drop. */
function nextTuple(id: number): unknown[] {
  return ['some data', id];
}
function idBolt(values: unknown[]): unknown[] {
  return values;
}
function nullBolt(_values: unknown[]): void {
  dropped++;
}

/**
 * Tuples move in batches of BATCH, as the engine's do (`batchSize`): each stage runs over the
 * batch before the next. The values then outlive their call, as in any engine, instead of being
 * optimized away by V8's escape analysis (a one-tuple-at-a-time loop measures nothing).
 */
const BATCH = 1024;
const spoutOut: unknown[][] = [];
const idOut: unknown[][] = [];
const roots: number[] = [];
const edges: number[] = []; // hi, lo of each tuple's current edge

function ackedLoop(n: number): void {
  for (let base = 0; base < n; base += BATCH) {
    const end = Math.min(n, base + BATCH);
    spoutOut.length = idOut.length = roots.length = edges.length = 0;
    for (let i = base; i < end; i++) {
      const slot = free.pop()!;
      const eh = random32(), el = random32(); // the spout → id edge starts the tree
      hi[slot] = eh;
      lo[slot] = el;
      roots.push(slot);
      edges.push(eh, el);
      spoutOut.push(nextTuple(i));
    }
    for (let k = 0; k < spoutOut.length; k++) {
      const slot = roots[k]!;
      const fh = random32(), fl = random32(); // the id → null edge, anchored to the input
      idOut.push(idBolt(spoutOut[k]!));
      hi[slot]! ^= fh ^ edges[2 * k]!; // emit anchored, then ack the input
      lo[slot]! ^= fl ^ edges[2 * k + 1]!;
      edges[2 * k] = fh;
      edges[2 * k + 1] = fl;
    }
    for (let k = 0; k < idOut.length; k++) {
      const slot = roots[k]!;
      nullBolt(idOut[k]!);
      hi[slot]! ^= edges[2 * k]!; // the null bolt acks
      lo[slot]! ^= edges[2 * k + 1]!;
      if (hi[slot] === 0 && lo[slot] === 0) {
        spoutAck(base + k);
        free.push(slot);
      }
    }
  }
}

function unackedLoop(n: number): void {
  for (let base = 0; base < n; base += BATCH) {
    const end = Math.min(n, base + BATCH);
    spoutOut.length = idOut.length = 0;
    for (let i = base; i < end; i++) spoutOut.push(nextTuple(i));
    for (let k = 0; k < spoutOut.length; k++) idOut.push(idBolt(spoutOut[k]!));
    for (let k = 0; k < idOut.length; k++) nullBolt(idOut[k]!);
  }
}

function run(n: number): { wallMs: number; cpuMs: number } {
  acked = 0;
  dropped = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  if (acking) ackedLoop(n);
  else unackedLoop(n);
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  if (dropped !== n || (acking && acked !== n)) throw new Error(`loop lost tuples: ${dropped} dropped, ${acked} acked of ${n}`);
  return { wallMs, cpuMs: (used.user + used.system) / 1000 };
}

const N = Number(args.tuples);
run(Math.floor(N / 5));
console.log(JSON.stringify({ tuples: N, ...run(N), maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
