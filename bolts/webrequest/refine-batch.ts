/**
 * The refine stage over a batch of lines: parse → canonicalize → geotag → anonymize for each, by
 * {@link refineLine}, which calls each stage's own module. The refine bolt runs it on its main
 * thread (`threads=0`) or in a thread of its pool (refine-thread.ts); both give the same
 * {@link RefinedBatch}.
 */
import { messageOf } from '../../core/index.js';
import type { CanonicalizeCaches } from './canonicalize.js';
import type { GeoLookup } from './geotag.js';
import { redactIps } from './redact.js';
import { refineLine } from './refine.js';
import type { WebrequestRefined } from './schema.js';

/** A batch of lines to refine, as it is sent to a thread. */
export interface RefineBatch {
  readonly lines: readonly string[];
  /** `webrequest_source` of each line, such as `text`. */
  readonly sources: readonly string[];
  /** The salt rotation, in milliseconds. */
  readonly rotationMs: number;
  /**
   * The salts of the periods the caller holds, as `[period, salt]`. Only in memory: a thread
   * keeps them in memory too and never writes or logs them.
   */
  readonly salts: readonly (readonly [string, Uint8Array])[];
}

/**
 * Why a line was not refined:
 * - `parse`: malformed; `reason` says why and never quotes the line.
 * - `error`: refining it threw; `reason` is the error's message with IPs redacted.
 * - `salt`: the salt of `period` was not among the batch's; fetch it and refine the line again.
 */
export interface RefineFailure {
  readonly index: number;
  readonly stage: 'parse' | 'error' | 'salt';
  readonly reason: string;
  readonly period?: string;
}

/** The outcome of a batch: a record per line (null when it failed), and the failures. */
export interface RefinedBatch {
  readonly records: (WebrequestRefined | null)[];
  readonly failures: RefineFailure[];
}

/** What {@link refineBatch} needs besides the batch. */
export interface RefineBatchDeps {
  readonly geo: GeoLookup;
  readonly caches?: CanonicalizeCaches;
  /** The salt of a period, when it is at hand. */
  readonly saltFor: (period: string) => Buffer | undefined;
}

/** Refine every line of a batch. Never throws: a line that fails is a {@link RefineFailure}. */
export function refineBatch(batch: Pick<RefineBatch, 'lines' | 'sources' | 'rotationMs'>, deps: RefineBatchDeps): RefinedBatch {
  const records: (WebrequestRefined | null)[] = new Array(batch.lines.length).fill(null);
  const failures: RefineFailure[] = [];
  const lineDeps = { source: '', geo: deps.geo, saltFor: deps.saltFor, rotationMs: batch.rotationMs, ...(deps.caches ? { caches: deps.caches } : {}) };
  for (let i = 0; i < batch.lines.length; i++) {
    lineDeps.source = batch.sources[i]!;
    try {
      const result = refineLine(batch.lines[i]!, lineDeps);
      if (result.ok) records[i] = result.record;
      else if (result.stage === 'salt') failures.push({ index: i, stage: 'salt', reason: result.reason, period: result.period });
      else failures.push({ index: i, stage: 'parse', reason: result.reason });
    } catch (error) {
      failures.push({ index: i, stage: 'error', reason: redactIps(`refining threw: ${messageOf(error)}`) });
    }
  }
  return { records, failures };
}
