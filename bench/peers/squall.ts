/** Squall's and the bare loop's cases for the ConstSpout → IdBolt → NullBolt shape, in local mode. */
import { join } from 'node:path';
import type { BenchCase } from '../harness/registry.js';

const here = import.meta.dirname;
const tsx = (file: string, ...args: string[]) => [process.execPath, '--import', 'tsx', join(here, file), ...args];

/** Tuples per timed run; `--quick` lowers them. */
export const engineSize = { squall: 2_000_000, loop: 20_000_000, latencySeconds: 5 };

export function squallCase(acking: boolean, executors: number): BenchCase {
  return {
    id: `squall-${acking ? 'acked' : 'unacked'}-${executors}`,
    system: 'Squall',
    label: `acking ${acking ? 'on' : 'off'}, ${executors} executor${executors > 1 ? 's' : ''}`,
    command: () => ({ argv: tsx('squall/const-id-null.ts', '--acking', acking ? 'on' : 'off', '--executors', String(executors), '--tuples', String(engineSize.squall)) }),
  };
}

export function bareLoopCase(acking: boolean): BenchCase {
  return {
    id: `loop-${acking ? 'acked' : 'unacked'}`,
    system: 'bare loop',
    label: acking ? 'XOR acking inline' : 'no acking',
    command: () => ({ argv: tsx('bare-loop.ts', '--acking', acking ? 'on' : 'off', '--tuples', String(engineSize.loop)) }),
  };
}

/** Acked, the spout held to `fraction` of the rate its own timed run reached, for `seconds`. */
export function squallLatencyCase(fraction: number): BenchCase {
  const pct = Math.round(fraction * 100);
  return {
    id: `squall-latency-${pct}`,
    system: 'Squall',
    label: `acking on, 1 executor, ${pct}% of the maximum rate`,
    command: () => ({ argv: tsx('squall/const-id-null.ts', '--acking', 'on', '--tuples', String(engineSize.squall), '--rate-fraction', String(fraction), '--seconds', String(engineSize.latencySeconds)) }),
  };
}
