/**
 * Topology config: the options users set, frozen defaults, and one function that merges and
 * validates them. Keys the engine does not know are kept for components to read
 * (`context.config`), so `-c input=data.ndjson` reaches the spout that wants it.
 */
import { ErrorCodes, SquallError } from './errors.js';

/** Engine settings a topology or `-c key=value` may set. */
export interface TopologyConfigOptions {
  /** Track tuple trees and call `ack`/`fail` on spouts. Off means at-most-once. @default true */
  acking?: boolean;
  /** Tuples a spout task may have in flight before it is no longer polled. @default 1000 */
  maxSpoutPending?: number;
  /** A tuple tree not complete within this many milliseconds fails with a timeout. @default 30000 */
  messageTimeoutMs?: number;
  /** Tuples an executor's input queue holds before its producers are throttled. @default 1024 */
  queueCapacity?: number;
  /** Tuples an executor handles, and a spout emits, in one turn before others run. @default 256 */
  batchSize?: number;
  /** How long graceful shutdown waits for in-flight tuples before stopping by force, in ms. @default 10000 */
  shutdownTimeoutMs?: number;
  /** Longest pause between polls of a spout that had nothing to emit, in ms. @default 50 */
  spoutIdleMaxMs?: number;
  /** Worker processes in cluster mode. @default 1 */
  workers?: number;
  /**
   * When spouts have been held back by maxSpoutPending this long with nothing else moving, bolts
   * are flushed (reason `stalled`) so those holding unacked tuples release them, in ms. @default 100
   */
  stallFlushMs?: number;
  /**
   * How long a writer whose storage cannot take writes (full, read-only, in safe mode) holds its
   * input and retries before the run stops with the reason, in ms. Space freed within it lets
   * the run go on by itself. @default 300000 (5 minutes)
   */
  storageDeadlineMs?: number;
  /**
   * Time every execute and tuple tree into the latency histograms (`squall_execute_latency_seconds`,
   * `squall_process_latency_seconds`, `squall_complete_latency_seconds`). Off saves two clock reads
   * per tuple; the exact counters stay. @default true
   */
  metricsTiming?: boolean;
  [key: string]: unknown;
}

/** The complete, validated engine config. */
export interface TopologyConfig extends Required<Pick<TopologyConfigOptions, 'acking' | 'maxSpoutPending' | 'messageTimeoutMs' | 'queueCapacity' | 'batchSize' | 'shutdownTimeoutMs' | 'spoutIdleMaxMs' | 'workers' | 'stallFlushMs' | 'storageDeadlineMs' | 'metricsTiming'>> {
  readonly [key: string]: unknown;
}

/** The defaults, documented on {@link TopologyConfigOptions}. */
export const DEFAULT_TOPOLOGY_CONFIG: Readonly<TopologyConfig> = Object.freeze({
  acking: true,
  maxSpoutPending: 1000,
  messageTimeoutMs: 30_000,
  queueCapacity: 1024,
  batchSize: 256,
  shutdownTimeoutMs: 10_000,
  spoutIdleMaxMs: 50,
  workers: 1,
  stallFlushMs: 100,
  storageDeadlineMs: 300_000,
  metricsTiming: true,
});

const POSITIVE_INTEGERS = ['maxSpoutPending', 'queueCapacity', 'batchSize', 'workers'] as const;
const POSITIVE_DURATIONS = ['messageTimeoutMs', 'shutdownTimeoutMs', 'spoutIdleMaxMs', 'stallFlushMs', 'storageDeadlineMs'] as const;

function invalid(key: string, value: unknown, fix: string): SquallError {
  // JSON would show Infinity and NaN as null.
  const shown = typeof value === 'number' ? String(value) : JSON.stringify(value);
  return new SquallError(ErrorCodes.INVALID_CONFIG, `config '${key}' is ${shown}: ${fix}`);
}

/** Merges `layers` (later wins) over the defaults and validates the result. */
export function compileTopologyConfig(...layers: ReadonlyArray<Readonly<Record<string, unknown>> | undefined>): TopologyConfig {
  const merged: Record<string, unknown> = { ...DEFAULT_TOPOLOGY_CONFIG };
  for (const layer of layers) if (layer !== undefined) Object.assign(merged, layer);
  for (const key of ['acking', 'metricsTiming']) if (typeof merged[key] !== 'boolean') throw invalid(key, merged[key], 'use true or false');
  for (const key of POSITIVE_INTEGERS) {
    const v = merged[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw invalid(key, v, 'use a whole number, 1 or more');
  }
  for (const key of POSITIVE_DURATIONS) {
    const v = merged[key];
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw invalid(key, v, 'use a positive number of milliseconds');
  }
  if ((merged.batchSize as number) > (merged.queueCapacity as number)) {
    throw invalid('batchSize', merged.batchSize, `keep it at or below queueCapacity (${String(merged.queueCapacity)})`);
  }
  return Object.freeze(merged) as TopologyConfig;
}

/**
 * Parses one `key=value` override. The value is read as JSON when it is valid JSON (numbers,
 * booleans, arrays), and as a plain string otherwise.
 */
export function parseConfigOverride(text: string): [string, unknown] {
  const eq = text.indexOf('=');
  if (eq <= 0) {
    throw new SquallError(ErrorCodes.INVALID_CONFIG, `config override '${text}' is not key=value: write it as -c maxSpoutPending=500`);
  }
  const key = text.slice(0, eq).trim();
  const raw = text.slice(eq + 1);
  try {
    return [key, JSON.parse(raw)];
  } catch {
    return [key, raw];
  }
}

/** A config value as text, or `fallback` when it is not set. */
export function configString(config: Readonly<Record<string, unknown>>, key: string, fallback: string): string {
  return config[key] === undefined ? fallback : String(config[key]);
}

/** A config value as a number, or `fallback` when it is not set. Throws when it is not a number. */
export function configNumber(config: Readonly<Record<string, unknown>>, key: string, fallback: number): number {
  if (config[key] === undefined) return fallback;
  const n = Number(config[key]);
  if (Number.isNaN(n)) throw invalid(key, config[key], 'use a number');
  return n;
}
