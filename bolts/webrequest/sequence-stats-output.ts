/**
 * Where the sequence check writes the records of an hour it closes: one NDJSON file per hour and
 * task, under a fixed name, so writing an hour again (after a crash between the write and the
 * checkpoint that marks the hour closed) replaces the file with the same records instead of adding
 * a second copy. The file appears whole: written to a temporary name, synced, then renamed.
 */
import type { SequenceStatsRow } from './sequence-stats.js';

/** Receives the records of each hour the sequence check closes, before it checkpoints. */
export interface SequenceStatsOutput {
  /** Writes (or rewrites) the records of one hour; resolves once they are durable. */
  write(hourStart: number, rows: readonly SequenceStatsRow[]): Promise<void>;
}

/** What {@link FileSequenceStatsOutput} needs of a filesystem (a `bolts/hdfs` `FileSystem` has it). */
export interface StatsFileSystem {
  create(path: string, data: Uint8Array, options?: { readonly overwrite?: boolean }): Promise<void>;
  sync(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  delete(path: string): Promise<boolean>;
}

/** The file name of an hour's records: `sequence-stats-YYYYMMDD-HH-<task>.ndjson`. */
export function sequenceStatsFileName(hourStart: number, taskId: number): string {
  const iso = new Date(hourStart).toISOString();
  return `sequence-stats-${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}-${taskId}.ndjson`;
}

/** Writes each hour's records to `<dir>/sequence-stats-YYYYMMDD-HH-<task>.ndjson`. */
export class FileSequenceStatsOutput implements SequenceStatsOutput {
  readonly #fs: StatsFileSystem;
  readonly #dir: string;
  readonly #taskId: number;

  constructor(fs: StatsFileSystem, dir: string, taskId: number) {
    this.#fs = fs;
    this.#dir = dir;
    this.#taskId = taskId;
  }

  async write(hourStart: number, rows: readonly SequenceStatsRow[]): Promise<void> {
    const name = sequenceStatsFileName(hourStart, this.#taskId);
    const final = `${this.#dir}/${name}`;
    const temp = `${this.#dir}/_tmp.${name}`;
    await this.#fs.create(temp, Buffer.from(rows.map((r) => `${JSON.stringify(r)}\n`).join('')), { overwrite: true });
    await this.#fs.sync(temp);
    // A rename never replaces: drop the copy an earlier, interrupted close wrote.
    await this.#fs.delete(final);
    await this.#fs.rename(temp, final);
  }
}
