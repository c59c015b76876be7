/** Times one local-mode topology from start to completion: wall-clock and the process's CPU (every thread). */
import type { TopologyRuntime } from '../../core/index.js';

export async function timedRun(runtime: TopologyRuntime): Promise<{ wallMs: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await runtime.start();
  await runtime.completion;
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  await runtime.stop();
  return { wallMs, cpuMs: (used.user + used.system) / 1000 };
}
