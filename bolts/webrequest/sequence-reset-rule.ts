/**
 * When a host's sequence counter has restarted. varnishkafka starts its counter at a configured
 * number (`sequence.number`, default 0), or at the Unix time in seconds × 1,000,000
 * (`sequence.number = time`), so a restart either drops the sequence back, or makes it jump ahead
 * by about 1.8 × 10¹⁵. Within one run of the counter, numbers only go up; a number below the run's
 * highest is a straggler (reordered), a duplicate, or a restart.
 *
 * The rule, for a sequence number `s` of a host whose current run has reached `high`:
 * - `s` in the range of the run before the last restart, not seen there, while an open hour still
 *   counts that range: a straggler of that run (it fills its hole, not a gap in the new run).
 * - `s > high + jump`: a restart (the counter jumped ahead). Below that, the numbers in between
 *   count as lost.
 * - `s < high`, and `s` is a number of the run's range not seen yet: a straggler, no restart.
 * - `s < high − drop` and `s ≤ below`, and `s` was already seen in the run or lies below
 *   everything it has seen (or so far back that the run no longer remembers it): a restart (the
 *   counter dropped back to its start). Otherwise it is a duplicate (or a straggler) of the same run:
 *   a counter restarts from its configured start, so a number far above it is not a restart.
 */
import { ErrorCodes, SquallError } from '../../core/index.js';

/** The thresholds of the reset rule, in sequence numbers. */
export interface SequenceResetOptions {
  /**
   * How far ahead of the run's highest number a sequence must jump to be a restart rather than a
   * loss. A counter restarted at the Unix time × 10⁶ jumps by about 1.8 × 10¹⁵; one restarted
   * that way again less than `jump / 10⁶` seconds later jumps less and reads as a loss.
   * @default 1_000_000_000
   */
  readonly jump?: number;
  /**
   * How far back a number already seen must drop to be a restart rather than a duplicate. A
   * counter that restarts fewer than `drop` numbers after its own start is not recognised (its
   * overlap counts as duplicates); a genuine duplicate arriving more than `drop` numbers late reads
   * as a restart.
   * @default 1_000
   */
  readonly drop?: number;
  /**
   * How high a number may be and still be the start of a restarted counter, when it drops back.
   * varnishkafka restarts from its configured `sequence.number` (0 by default), so the first
   * numbers after a restart are small, while a late duplicate in a counter that has run a while is
   * not. Raise it above the configured start when that is not 0.
   * @default 1_000_000
   */
  readonly below?: number;
}

/** The defaults of {@link SequenceResetOptions}. */
export const SEQUENCE_RESET_DEFAULTS: Readonly<Required<SequenceResetOptions>> = Object.freeze({ jump: 1_000_000_000, drop: 1_000, below: 1_000_000 });

/** The reset rule, complete and checked. */
export type SequenceResetRule = Readonly<Required<SequenceResetOptions>>;

/** Merges `options` over the defaults and checks them; the error names the config key to fix. */
export function compileSequenceResetRule(options: SequenceResetOptions = {}): SequenceResetRule {
  const rule = { ...SEQUENCE_RESET_DEFAULTS, ...options };
  for (const [key, config] of [
    ['jump', 'sequenceResetJump'],
    ['drop', 'sequenceResetDrop'],
    ['below', 'sequenceResetBelow'],
  ] as const) {
    const value = rule[key];
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new SquallError(ErrorCodes.INVALID_CONFIG, `${config} must be a whole number of sequence numbers, at least 1, got ${String(value)}: set -c ${config}=<n> (default ${SEQUENCE_RESET_DEFAULTS[key]})`);
    }
  }
  return Object.freeze(rule);
}
