/**
 * Runs one case's child process, sampling its resident memory every second from /proc (VmRSS,
 * and VmHWM for the peak between samples), and parses the measurement it prints.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type Measurement, parseMeasurement } from './stats.js';

export interface RssSample {
  /** Seconds since the child started. */
  readonly s: number;
  readonly rssMiB: number;
}

export interface ChildResult {
  readonly measurement?: Measurement;
  readonly error?: string;
  readonly peakRssMiB?: number;
  readonly rss: readonly RssSample[];
}

function procStatusMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? undefined : Number(m[1]) / 1024;
  } catch {
    return undefined; // gone, or no /proc: no sample
  }
}

/** Runs argv to its end (or `timeoutMs`), sampling RSS every `sampleMs`. */
export function runChild(argv: string[], options: { cwd?: string; timeoutMs: number; sampleMs?: number }): Promise<ChildResult> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const started = performance.now();
    const rss: RssSample[] = [];
    let peak: number | undefined;
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const sample = (): void => {
      if (child.pid === undefined) return;
      const now = procStatusMiB(child.pid, 'VmRSS');
      const hwm = procStatusMiB(child.pid, 'VmHWM');
      if (now !== undefined) rss.push({ s: (performance.now() - started) / 1000, rssMiB: now });
      if (hwm !== undefined) peak = Math.max(peak ?? 0, hwm);
    };
    const timer = setInterval(sample, options.sampleMs ?? 1000);
    const killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', (e) => {
      clearInterval(timer);
      clearTimeout(killer);
      resolve({ error: `cannot start ${argv[0]}: ${e.message}`, rss });
    });
    child.on('close', (code, signal) => {
      clearInterval(timer);
      clearTimeout(killer);
      if (code !== 0) {
        const why = signal === 'SIGKILL' ? `killed after ${options.timeoutMs / 1000} s` : `exit ${code ?? signal}`;
        resolve({ error: `${why}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`, rss, ...(peak === undefined ? {} : { peakRssMiB: peak }) });
        return;
      }
      try {
        resolve({ measurement: parseMeasurement(stdout), rss, ...(peak === undefined ? {} : { peakRssMiB: peak }) });
      } catch (e) {
        resolve({ error: (e as Error).message, rss });
      }
    });
  });
}
