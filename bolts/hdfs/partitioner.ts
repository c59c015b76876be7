/**
 * Where a record goes: a directory below the sink's root chosen from the record itself. The
 * {@link HourlyPartitioner} uses the record's event time, in UTC, so a record stamped 23:59:59.999
 * lands in hour 23 whenever it arrives.
 */
import { eventTimeOf, readField } from './event-time.js';

/** A partition of the output: a directory and the event-time period it holds. */
export interface Partition {
  /** Relative to the root, with `/`: `year=2024/month=01/day=31/hour=23`. */
  readonly path: string;
  /** The period's first and last-plus-one epoch ms. */
  readonly start: number;
  readonly end: number;
  /** Values of the partition columns: `{ year: 2024, month: 1, day: 31, hour: 23 }`. */
  readonly values: Readonly<Record<string, number>>;
}

/** A record's partition and event time, or why it has none. */
export type Placement = { readonly partition: Partition; readonly eventTime: number } | { readonly error: string };

/** Chooses the partition of each record. */
export interface Partitioner {
  /** The partition columns and their Hive types, outermost first. */
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  place(record: unknown): Placement;
  /**
   * The partition of an event time (epoch ms), for records that arrive encoded with their time
   * beside them. A partitioner without it cannot place such records.
   */
  placeTime?(time: number | undefined): Placement;
  /** The partition of a relative directory path, or undefined when it is not one of ours. */
  parse(path: string): Partition | undefined;
}

/** Options of {@link HourlyPartitioner}. */
export interface HourlyPartitionerOptions {
  /** The record field holding the event time; dots reach nested fields. @default 'dt' */
  readonly timeField?: string;
}

const HOUR_MS = 3_600_000;
const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const HOUR_PATH = /^year=(\d{4})\/month=(\d{2})\/day=(\d{2})\/hour=(\d{2})$/;

/** The partition of the hour holding `time` (epoch ms, UTC). */
export function hourPartition(time: number): Partition {
  const start = Math.floor(time / HOUR_MS) * HOUR_MS;
  const d = new Date(start);
  const values = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours() };
  return {
    path: `year=${pad(values.year, 4)}/month=${pad(values.month)}/day=${pad(values.day)}/hour=${pad(values.hour)}`,
    start,
    end: start + HOUR_MS,
    values,
  };
}

/** `year=YYYY/month=MM/day=DD/hour=HH` in UTC, from a record's event time. */
export class HourlyPartitioner implements Partitioner {
  readonly columns = Object.freeze([
    { name: 'year', type: 'int' },
    { name: 'month', type: 'int' },
    { name: 'day', type: 'int' },
    { name: 'hour', type: 'int' },
  ]);
  readonly timeField: string;
  readonly #path: readonly string[];
  /** The last partition made, reused while records stay in the same hour. */
  #last: Partition | undefined;

  constructor(options: HourlyPartitionerOptions = {}) {
    this.timeField = options.timeField ?? 'dt';
    this.#path = this.timeField.split('.');
  }

  place(record: unknown): Placement {
    return this.#placeValue(readField(record, this.#path));
  }

  placeTime(time: number | undefined): Placement {
    return this.#placeValue(time);
  }

  #placeValue(value: unknown): Placement {
    const result = eventTimeOf(value, this.timeField);
    if ('error' in result) return result;
    const time = result.time;
    const last = this.#last;
    if (last !== undefined && time >= last.start && time < last.end) return { partition: last, eventTime: time };
    this.#last = hourPartition(time);
    return { partition: this.#last, eventTime: time };
  }

  parse(path: string): Partition | undefined {
    const m = HOUR_PATH.exec(path);
    if (m === null) return undefined;
    const p = hourPartition(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4])));
    return p.path === path ? p : undefined;
  }
}
