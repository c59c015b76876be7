/**
 * Where a partition starts, following Storm's `FirstPollOffsetStrategy`:
 *
 * - `earliest`: the first time this spout is assigned the partition, start at its beginning
 *   whatever was committed; later assignments (after a rebalance) resume from the commit.
 * - `latest`: the same, starting at the end of the partition.
 * - `uncommitted-earliest`: resume from the committed offset; without one, the beginning.
 * - `uncommitted-latest`: resume from the committed offset; without one, the end.
 *
 * Storm's "first poll" is the first poll since the topology was deployed; here it is the first
 * assignment since this spout instance opened, so a restarted topology with `earliest` reads
 * the partition again from the beginning, as Storm's does after a redeploy.
 */

export type FirstPollOffsetStrategy = 'earliest' | 'latest' | 'uncommitted-earliest' | 'uncommitted-latest';

/** Every strategy, for validation messages. */
export const FIRST_POLL_OFFSET_STRATEGIES: readonly FirstPollOffsetStrategy[] = Object.freeze([
  'earliest',
  'latest',
  'uncommitted-earliest',
  'uncommitted-latest',
]);

/**
 * The end of the partition to seek to on this assignment, or undefined to resume from the
 * committed offset (falling back to {@link resetsToEarliest}).
 */
export function firstPollSeek(strategy: FirstPollOffsetStrategy, firstAssignment: boolean): 'earliest' | 'latest' | undefined {
  if (!firstAssignment) return undefined;
  if (strategy === 'earliest') return 'earliest';
  if (strategy === 'latest') return 'latest';
  return undefined;
}

/** True when a partition without a committed offset starts at its beginning (kafkajs's `fromBeginning`). */
export function resetsToEarliest(strategy: FirstPollOffsetStrategy): boolean {
  return strategy === 'earliest' || strategy === 'uncommitted-earliest';
}
