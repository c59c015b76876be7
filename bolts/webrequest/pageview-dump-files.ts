/**
 * The files of the hourly pageview dumps: the public dump `pageviews-YYYYMMDD-HH0000` of each
 * hour, and the parts it is merged from. Each counting task writes its lines of an hour it
 * closes to a part of its own under `_parts/` (a fixed name, so writing it again replaces it),
 * before the checkpoint that marks the hour closed; the dump writer merges the parts of an hour
 * once every counting task has checkpointed it closed, and then removes them.
 */
import { HourlyFiles, type WholeFileSystem } from './whole-file.js';

/** The directory, under the dumps' own, that holds the parts. */
export const PARTS_DIR = '_parts';

/** The public name of an hour's dump: `pageviews-YYYYMMDD-HH0000`. */
export function dumpName(hour: number): string {
  const iso = new Date(hour).toISOString();
  return `pageviews-${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}0000`;
}

/** The name of one counting task's part of an hour: `pageviews-YYYYMMDD-HH0000.<task>`. */
export function partName(hour: number, taskId: number): string {
  return `${dumpName(hour)}.${taskId}`;
}

const PART = /^pageviews-(\d{4})(\d{2})(\d{2})-(\d{2})0000\.(\d+)$/;

/** The hour of a part's file name; undefined for any other name. */
export function hourOfPart(name: string): number | undefined {
  const m = PART.exec(name);
  return m === null ? undefined : Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]));
}

/** Where a counting task puts the lines of each hour it closes, before it checkpoints. */
export interface PageviewPartOutput {
  /** Writes (or rewrites) this task's lines of one hour; resolves once they are durable. */
  write(hour: number, lines: readonly string[]): Promise<void>;
}

/** Writes each hour's lines of one task to `<dir>/_parts/pageviews-YYYYMMDD-HH0000.<task>`. */
export class FilePageviewParts implements PageviewPartOutput {
  readonly #files: HourlyFiles;

  constructor(fs: WholeFileSystem, dumpsDir: string, taskId: number) {
    this.#files = new HourlyFiles(fs, `${dumpsDir}/${PARTS_DIR}`, (hour) => partName(hour, taskId));
  }

  write(hour: number, lines: readonly string[]): Promise<void> {
    return this.#files.write(hour, lines.map((l) => `${l}\n`).join(''));
  }
}
