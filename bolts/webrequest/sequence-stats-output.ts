/**
 * Where the sequence check writes the records of an hour it closes: one NDJSON file per hour and
 * task, under a fixed name, so writing an hour again (after a crash between the write and the
 * checkpoint that marks the hour closed) replaces the file with the same records instead of adding
 * a second copy. The file appears whole: written to a temporary name, synced, then renamed.
 */
import type { SequenceStatsRow } from './sequence-stats.js';
import { HourlyFiles, type WholeFileSystem } from './whole-file.js';

/** Receives the records of each hour the sequence check closes, before it checkpoints. */
export interface SequenceStatsOutput {
  /** Writes (or rewrites) the records of one hour; resolves once they are durable. */
  write(hourStart: number, rows: readonly SequenceStatsRow[]): Promise<void>;
}

/** The file name of an hour's records: `sequence-stats-YYYYMMDD-HH-<task>.ndjson`. */
export function sequenceStatsFileName(hourStart: number, taskId: number): string {
  const iso = new Date(hourStart).toISOString();
  return `sequence-stats-${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}-${taskId}.ndjson`;
}

/** Writes each hour's records to `<dir>/sequence-stats-YYYYMMDD-HH-<task>.ndjson`. */
export class FileSequenceStatsOutput implements SequenceStatsOutput {
  readonly #files: HourlyFiles;

  constructor(fs: WholeFileSystem, dir: string, taskId: number) {
    this.#files = new HourlyFiles(fs, dir, (hour) => sequenceStatsFileName(hour, taskId));
  }

  write(hourStart: number, rows: readonly SequenceStatsRow[]): Promise<void> {
    return this.#files.write(hourStart, rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
  }
}
