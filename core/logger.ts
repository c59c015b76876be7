/**
 * The logger interface every part of Squall logs through. Library code never writes to the
 * console itself; a runner (the CLI, a worker) injects a logger.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Structured fields attached to a log line. Never put a raw client IP or a secret here. */
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger whose lines carry this namespace and these fields. */
  child(namespace: string, fields?: LogFields): Logger;
}

/** One line as a {@link LogSink} receives it. */
export interface LogRecord {
  readonly level: LogLevel;
  readonly namespace: string;
  readonly message: string;
  readonly fields: LogFields;
  readonly time: number;
}

/** Where log records go: the CLI's console writer, a worker's file, a test's array. */
export type LogSink = (record: LogRecord) => void;

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** A logger that passes records at or above `level` to `sink`. */
export function createLogger(sink: LogSink, level: LogLevel = 'info', namespace = 'squall', base: LogFields = {}): Logger {
  const min = LEVELS[level];
  const log = (lvl: LogLevel, message: string, fields?: LogFields) => {
    if (LEVELS[lvl] < min) return;
    try {
      sink({ level: lvl, namespace, message, fields: fields === undefined ? base : { ...base, ...fields }, time: Date.now() });
    } catch {
      // A failing sink must never take the engine down with it.
    }
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
    child: (ns, f) => createLogger(sink, level, `${namespace}:${ns}`, f === undefined ? base : { ...base, ...f }),
  };
}

/** A logger that drops everything. */
export const nullLogger: Logger = createLogger(() => {}, 'error');
