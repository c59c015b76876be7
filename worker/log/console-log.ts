/**
 * The CLI's log sink: one line per record on stderr, `time LEVEL namespace message key=value`.
 * It cooperates with the live status line by clearing it before writing.
 */
import type { LogRecord, LogSink } from '../../core/index.js';

const LEVEL_TAGS = { debug: 'DEBUG', info: 'INFO ', warn: 'WARN ', error: 'ERROR' } as const;

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) ? JSON.stringify(value) : value;
  if (value instanceof Error) return JSON.stringify(value.message);
  return JSON.stringify(value) ?? String(value);
}

export function formatRecord(record: LogRecord): string {
  const time = new Date(record.time).toISOString().slice(11, 23);
  const fields = Object.entries(record.fields)
    .map(([k, v]) => `${k}=${formatValue(v)}`)
    .join(' ');
  return `${time} ${LEVEL_TAGS[record.level]} ${record.namespace} ${record.message}${fields ? ` ${fields}` : ''}`;
}

/** Writes to `stream`, first erasing a status line drawn by {@link StatusLine} on a terminal. */
export function consoleSink(stream: NodeJS.WriteStream = process.stderr, beforeWrite: () => void = () => {}): LogSink {
  return (record) => {
    beforeWrite();
    stream.write(`${formatRecord(record)}\n`);
  };
}
