/** Routes kafkajs's own log lines into a Squall logger, from warn level up. */
import { logLevel, type logCreator } from 'kafkajs';
import type { Logger } from '../../core/index.js';

/** The kafkajs level the bridge is created at: warnings and errors only. */
export const KAFKAJS_LOG_LEVEL = logLevel.WARN;

/** A kafkajs `logCreator` that writes to `logger` under the `kafkajs` namespace. */
export function kafkajsLogCreator(logger: Logger): logCreator {
  const log = logger.child('kafkajs');
  return () =>
    ({ namespace, level, log: entry }) => {
      const { message, timestamp: _timestamp, logger: _logger, ...fields } = entry;
      const line = { ...fields, kafkajs: namespace };
      if (level === logLevel.ERROR) log.error(message, line);
      else if (level === logLevel.WARN) log.warn(message, line);
      else if (level === logLevel.INFO) log.info(message, line);
      else log.debug(message, line);
    };
}
