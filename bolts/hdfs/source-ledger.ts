/**
 * What a sink task knows about each source partition it writes: the offsets committed (read
 * back on `prepare`, read again under a new lease, and grown by its own commits), the highest
 * offset it wrote in this run (a higher one cannot be a replay), and the lease it writes under.
 */
import { ErrorCodes, SquallError } from '../../core/index.js';
import { OffsetRanges } from './offset-ranges.js';
import { sourceKey } from './output-scan.js';
import { compareLeases } from './partition-leases.js';

/** How a tuple's lease compares with the one its source is written under. */
export type LeaseStanding = 'current' | 'older' | 'newer';

export class SourceLedger {
  #committed: Map<string, OffsetRanges>;
  readonly #frontier = new Map<string, number>();
  readonly #leases = new Map<string, string>();
  /** Source keys by topic and partition. */
  readonly #keys = new Map<string, string[]>();

  constructor(committed: Map<string, OffsetRanges> = new Map()) {
    this.#committed = committed;
  }

  /** {@link sourceKey}, made once per source rather than once per record. */
  key(topic: string, partition: number): string {
    let keys = this.#keys.get(topic);
    if (keys === undefined) this.#keys.set(topic, (keys = []));
    return (keys[partition] ??= sourceKey(topic, partition));
  }

  /** Replaces everything known committed (after `prepare` read the output back). */
  recovered(committed: Map<string, OffsetRanges>): void {
    this.#committed = committed;
  }

  isCommitted(key: string, offset: number): boolean {
    return this.#committed.get(key)?.has(offset) === true;
  }

  /** A file of `key` holding `offsets` was committed. */
  committed(key: string, offsets: OffsetRanges): void {
    const ranges = this.#committed.get(key);
    if (ranges === undefined) this.#committed.set(key, offsets);
    else ranges.addAll(offsets);
  }

  /** True when `offset` is at or below the highest offset of `key` written in this run. */
  mayBeReplay(key: string, offset: number): boolean {
    const frontier = this.#frontier.get(key);
    return frontier !== undefined && offset <= frontier;
  }

  /** `offset` of `key` was written (or sent to be). */
  wrote(key: string, offset: number): void {
    const frontier = this.#frontier.get(key);
    if (frontier === undefined || offset > frontier) this.#frontier.set(key, offset);
  }

  /** The lease `key` is written under; undefined for an unleased source. */
  lease(key: string): string | undefined {
    return this.#leases.get(key);
  }

  standing(key: string, lease: string): LeaseStanding {
    const current = this.#leases.get(key);
    if (current === lease) return 'current';
    return current !== undefined && compareLeases(lease, current) < 0 ? 'older' : 'newer';
  }

  /** `key` is written under `lease` from now on, with what the output holds of it now. */
  leased(key: string, lease: string, committed: OffsetRanges): void {
    this.#committed.set(key, committed);
    this.#frontier.delete(key);
    this.#leases.set(key, lease);
  }
}

/** The reason a tuple or file read under `lease` is refused. */
export function fencedError(key: string, lease: string, why: string): SquallError {
  return new SquallError(ErrorCodes.PARTITION_FENCED, `not committed: ${key} moved from lease ${lease} (${why}); the partition's newer owner writes these records`);
}

/** True for the refusal of {@link fencedError}. */
export function isFenced(error: unknown): error is SquallError {
  return error instanceof SquallError && error.code === ErrorCodes.PARTITION_FENCED;
}
