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
import { domainCodeOf } from './pageview-dump.js';
import type { RecordBytesEncoder } from '../hdfs/encoded-record.js';
import type { FormatEncoding } from '../hdfs/batch-encoder.js';

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
  /** Encode the refined records in this format (the sink's), rather than return them as objects. */
  readonly encoding?: FormatEncoding;
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

/**
 * What the refine bolt needs of each line besides its record, by line index: the sequence facts
 * (host, sequence number, event time) of each refined line, and its pageview key when it is a
 * user pageview that can be counted. No IP.
 */
export interface RefinedFacts {
  /** The cache host of each line; null for a line that was not refined. */
  readonly hostnames: (string | null)[];
  readonly sequences: number[];
  /** Event times, epoch ms; null for none (`dt` of `-`). */
  readonly times: (number | null)[];
  /** The user pageviews: line index, domain code (`en.m`) and page title, three entries each. */
  readonly pageviews: (number | string)[];
}

/**
 * The outcome of a batch: the refined records, as objects (`records`, null for a line that
 * failed) or already encoded in an output format (`encoded`, when the batch asked for it), the
 * facts of each line, and the failures.
 */
export interface RefinedBatch {
  readonly records?: (WebrequestRefined | null)[];
  /** Line i's record is `data[ends[i - 1], ends[i])` (from 0 for the first); empty when it failed. */
  readonly encoded?: { readonly data: Buffer; readonly ends: Uint32Array };
  readonly facts: RefinedFacts;
  readonly failures: RefineFailure[];
}

/** What {@link refineBatch} needs besides the batch. */
export interface RefineBatchDeps {
  readonly geo: GeoLookup;
  readonly caches?: CanonicalizeCaches;
  /** The salt of a period, when it is at hand. */
  readonly saltFor: (period: string) => Buffer | undefined;
  /** Encode each refined record with this, rather than returning it as an object. */
  readonly encoder?: RecordBytesEncoder;
}

/** Refine every line of a batch. Never throws: a line that fails is a {@link RefineFailure}. */
export function refineBatch(batch: Pick<RefineBatch, 'lines' | 'sources' | 'rotationMs'>, deps: RefineBatchDeps): RefinedBatch {
  const n = batch.lines.length;
  const encoder = deps.encoder;
  const records: (WebrequestRefined | null)[] | undefined = encoder === undefined ? new Array(n).fill(null) : undefined;
  const ends = encoder === undefined ? undefined : new Uint32Array(n);
  const facts: RefinedFacts = { hostnames: new Array(n).fill(null), sequences: new Array(n).fill(0), times: new Array(n).fill(null), pageviews: [] };
  const failures: RefineFailure[] = [];
  const lineDeps = { source: '', geo: deps.geo, saltFor: deps.saltFor, rotationMs: batch.rotationMs, ...(deps.caches ? { caches: deps.caches } : {}) };
  for (let i = 0; i < n; i++) {
    lineDeps.source = batch.sources[i]!;
    try {
      const result = refineLine(batch.lines[i]!, lineDeps);
      if (result.ok) {
        const record = result.record;
        if (encoder === undefined) records![i] = record;
        else encoder.add(record);
        addFacts(facts, i, record);
      } else if (result.stage === 'salt') failures.push({ index: i, stage: 'salt', reason: result.reason, period: result.period });
      else failures.push({ index: i, stage: 'parse', reason: result.reason });
    } catch (error) {
      failures.push({ index: i, stage: 'error', reason: redactIps(`refining threw: ${messageOf(error)}`) });
    }
    if (ends !== undefined) ends[i] = encoder!.end;
  }
  if (encoder === undefined) return { records, facts, failures };
  return { encoded: { data: encoder.take(), ends: ends! }, facts, failures };
}

function addFacts(facts: RefinedFacts, i: number, record: WebrequestRefined): void {
  facts.hostnames[i] = record.hostname;
  facts.sequences[i] = record.sequence;
  facts.times[i] = record.ts;
  const info = record.pageview_info;
  // A pageview without a time cannot be placed in an hour's dump; the sequence check counts it as incomplete.
  if (record.is_pageview && record.agent_type === 'user' && info !== null && record.ts !== null) {
    const code = domainCodeOf(info.project, record.access_method);
    if (code !== undefined) facts.pageviews.push(i, code, info.page_title);
  }
}
