/**
 * Writes one pageview dump file per hour, `pageviews-YYYYMMDD-HH0000`, in the public format
 * (`<domain_code> <page_title> <count> 0`, sorted). It merges the lines of every counting task
 * and writes an hour once every task has closed it, or when the input ends.
 */
import type { Bolt, FlushReason, OutputCollector, TopologyContext, Tuple } from '../../core/index.js';
import { type FileSystem, joinPath, StorageHold } from '../../core/index.js';

export interface PageviewDumpWriterOptions {
  readonly fs: () => FileSystem;
  readonly dir: string;
  /** The component id of the counting bolt. */
  readonly counter: string;
}

function dumpName(hour: number): string {
  const d = new Date(hour);
  const p = (n: number) => String(n).padStart(2, '0');
  return `pageviews-${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}0000`;
}

export class PageviewDumpWriterBolt implements Bolt {
  readonly #options: PageviewDumpWriterOptions;
  #fs!: FileSystem;
  #hold!: StorageHold;
  #context!: TopologyContext;
  readonly #hours = new Map<number, string[]>();
  readonly #closedThrough = new Map<number, number>();

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
    const [hour, lines, closedThrough] = tuple.values as [number | null, string[], number];
    if (hour !== null) {
      const held = this.#hours.get(hour) ?? [];
      for (const line of lines) held.push(line);
      this.#hours.set(hour, held);
    }
    this.#closedThrough.set(tuple.sourceTask, closedThrough);
    const counters = this.#context.tasksOf(this.#options.counter);
    if (counters.some((t) => !this.#closedThrough.has(t))) return;
    const allClosed = Math.min(...counters.map((t) => this.#closedThrough.get(t)!));
    await this.#write((h) => h + 3_600_000 <= allClosed);
  }

  /** At the end of the input, every hour held is written. */
  async flush(reason: FlushReason): Promise<void> {
    if (reason === 'end-of-input') await this.#write(() => true);
  }

  async #write(ready: (hour: number) => boolean): Promise<void> {
    for (const hour of [...this.#hours.keys()].sort((a, b) => a - b)) {
      if (!ready(hour)) continue;
      const lines = this.#hours.get(hour)!.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      this.#hours.delete(hour);
      const name = dumpName(hour);
      const temp = joinPath(this.#options.dir, `_tmp.${name}`);
      const final = joinPath(this.#options.dir, name);
      // A full disk is waited out (the input held): these lines exist nowhere else.
      await this.#hold.run(async () => {
        await this.#fs.create(temp, Buffer.from(lines.length > 0 ? `${lines.join('\n')}\n` : ''), { overwrite: true });
        await this.#fs.sync(temp);
        // An hour is written once all counters closed it; a rewrite (after a restart) replaces it.
        if (await this.#fs.exists(final)) await this.#fs.delete(final);
        await this.#fs.rename(temp, final);
      });
      this.#context.logger.info(`wrote ${final}`, { lines: lines.length });
      this.#context.metrics.counter('pageview_dump_lines_total', 'Lines written to pageview dump files (a rewritten hour counts again)').inc(lines.length);
    }
  }
}
