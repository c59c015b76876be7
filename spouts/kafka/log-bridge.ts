/** Routes kafkajs's own log lines into a Squall logger, from warn level up. */
import { logLevel, type logCreator } from 'kafkajs';
import type { Logger } from '../../core/index.js';

/** The kafkajs level the bridge is created at: warnings and errors only. */
export const KAFKAJS_LOG_LEVEL = logLevel.WARN;

/**
 * kafkajs logs every routine rebalance at ERROR ("The group is rebalancing, so a rejoin is
 * needed", "The coordinator is not aware of this member, re-joining the group"). They are the
 * group working as designed; the spout says what moved in one INFO line of its own, so these go
 * to debug.
 */
const ROUTINE_GROUP_CHURN = /group is rebalancing|rebalance in progress|re-?joining the group|rejoin is needed|not aware of this member|specified generation id is not valid|generation id is not valid/i;

/** True for a kafkajs line that reports a routine rebalance rather than a fault. */
export function isRoutineGroupChurn(message: string, fields: Readonly<Record<string, unknown>>): boolean {
  return ROUTINE_GROUP_CHURN.test(message) || (typeof fields.error === 'string' && ROUTINE_GROUP_CHURN.test(fields.error));
}

/** A kafkajs `logCreator` that writes to `logger` under the `kafkajs` namespace. */
export function kafkajsLogCreator(logger: Logger): logCreator {
  const log = logger.child('kafkajs');
  return () =>
    ({ namespace, level, log: entry }) => {
      const { message, timestamp: _timestamp, logger: _logger, ...fields } = entry;
      const line = { ...fields, kafkajs: namespace };
      if (level <= logLevel.WARN && isRoutineGroupChurn(String(message), fields)) log.debug(message, line);
      else if (level === logLevel.ERROR) log.error(message, line);
      else if (level === logLevel.WARN) log.warn(message, line);
      else if (level === logLevel.INFO) log.info(message, line);
      else log.debug(message, line);
    };
}
