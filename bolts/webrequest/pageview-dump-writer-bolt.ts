/**
 * Writes one pageview dump file per hour, `pageviews-YYYYMMDD-HH0000`, in the public format
 * (`<domain_code> <page_title> <count> 0`, sorted). It merges the parts the counting tasks wrote
 * of an hour (see pageview-dump-files.ts) once every counting task has said that its close of the
 * hour is checkpointed, or when the input ends, and then removes the parts. An hour whose dump
 * exists is not written again: a restart (each counting task says again how far it closed) only
 * finishes what a crash interrupted, and a re-run over the same input changes no dump.
 */
import type { Bolt, FlushReason, OutputCollector, TopologyContext, Tuple } from '../../core/index.js';
import { type FileSystem, joinPath, StorageHold } from '../../core/index.js';
import { HOUR_MS } from './event-time.js';
import { dumpName, hourOfPart, PARTS_DIR } from './pageview-dump-files.js';
import { writeWholeFile } from './whole-file.js';

export interface PageviewDumpWriterOptions {
  readonly fs: () => FileSystem;
  readonly dir: string;
  /** The component id of the counting bolt. */
  readonly counter: string;
}

export class PageviewDumpWriterBolt implements Bolt {
  readonly #options: PageviewDumpWriterOptions;
  #fs!: FileSystem;
  #hold!: StorageHold;
  #context!: TopologyContext;
  readonly #closedThrough = new Map<number, number>();
  /** Hours before this are merged (or had no parts). */
  #writtenThrough = 0;

  constructor(options: PageviewDumpWriterOptions) {
    this.#options = options;
  }

  prepare(context: TopologyContext, collector: OutputCollector): void {
    this.#context = context;
    this.#fs = this.#options.fs();
    this.#hold = StorageHold.forTask(context, collector, `writing pageview dumps under ${this.#options.dir}`);
  }

  /** Ends a wait for the storage: a stopping run does not wait out storageDeadlineMs. */
  cleanup(): void {
    this.#hold?.close();
  }

  async execute(tuple: Tuple): Promise<void> {
    this.#closedThrough.set(tuple.sourceTask, tuple.values[0] as number);
    const counters = this.#context.tasksOf(this.#options.counter);
    if (counters.some((t) => !this.#closedThrough.has(t))) return;
    const allClosed = Math.min(...counters.map((t) => this.#closedThrough.get(t)!));
    if (allClosed > this.#writtenThrough) await this.#write(allClosed);
  }

  /** At the end of the input, every hour with parts is written. */
  async flush(reason: FlushReason): Promise<void> {
    if (reason === 'end-of-input') await this.#write(Number.MAX_SAFE_INTEGER);
  }

  /** Merges the parts of every hour that ends by `closedThrough` into its dump. */
  async #write(closedThrough: number): Promise<void> {
    const partsDir = joinPath(this.#options.dir, PARTS_DIR);
    // A full disk is waited out (the input held): the parts stay until their dump is written.
    await this.#hold.run(async () => {
      const byHour = new Map<number, string[]>();
      for (const f of (await this.#fs.exists(partsDir)) ? await this.#fs.list(partsDir) : []) {
        const hour = hourOfPart(f.name);
        if (hour !== undefined && hour + HOUR_MS <= closedThrough) byHour.set(hour, [...(byHour.get(hour) ?? []), f.path]);
      }
      for (const hour of [...byHour.keys()].sort((a, b) => a - b)) {
        const name = dumpName(hour);
        const final = joinPath(this.#options.dir, name);
        if (!(await this.#fs.exists(final))) {
          const lines: string[] = [];
          for (const part of byHour.get(hour)!) for (const line of (await this.#fs.read(part)).toString('utf8').split('\n')) if (line !== '') lines.push(line);
          lines.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
          await writeWholeFile(this.#fs, this.#options.dir, name, Buffer.from(lines.length > 0 ? `${lines.join('\n')}\n` : ''));
          this.#context.logger.info(`wrote ${final}`, { lines: lines.length });
          this.#context.metrics.counter('pageview_dump_lines_total', 'Lines written to pageview dump files').inc(lines.length);
        }
        for (const part of byHour.get(hour)!) await this.#fs.delete(part);
      }
    });
    this.#writtenThrough = Math.max(this.#writtenThrough, closedThrough);
  }
}
