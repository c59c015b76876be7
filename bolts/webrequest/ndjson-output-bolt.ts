/**
 * Writes what it receives as NDJSON files under a directory, one file per batch, committed by
 * an atomic rename; tuples are acked once their file is committed. Used for the error output
 * (with every value's IPs redacted once more, whatever stream it came from) and for the
 * sequence statistics.
 *
 * When the storage cannot take a file (full, read-only, in safe mode), the bolt holds its input
 * and retries the file until `storageDeadlineMs` (see core's `StorageHold`): its tuples are not
 * failed into replays, and past the deadline the run stops with the reason.
 */
import type { Bolt, OutputCollector, OutputRecordCounters, TopologyContext, Tuple } from '../../core/index.js';
import { type FileSystem, joinPath, outputRecordCounters, StorageHold } from '../../core/index.js';

export interface NdjsonOutputBoltOptions {
  /** Opens the filesystem to write through (shared; the bolt does not close it). */
  readonly fs: () => FileSystem;
  /** The directory the files go to. */
  readonly dir: string;
  /** File name prefix, such as `errors`. */
  readonly name: string;
  /** Turns one tuple into the object written as one line. */
  readonly toObject: (tuple: Tuple) => unknown;
  /** Commit a file once it holds this many records. @default a quarter of maxSpoutPending */
  readonly maxRecords?: number;
  /**
   * A record's identity (for errors: where it came from and what sent it). With it, a record
   * whose identity a committed file already holds, from this run or an earlier one, is acked
   * without being written again: a re-run after a stop (a full disk) does not write its errors
   * twice. Committed files are read back in `prepare`. Exactly once for one task. A record
   * without an identity (undefined) is always written.
   */
  readonly identity?: (record: Record<string, unknown>) => string | undefined;
  /**
   * A record's kind, a few words of low cardinality (for errors: the kind of reason). Records
   * committed are counted by it in `ndjson_output_records_total{output, kind}`. @default '' for all
   */
  readonly kindOf?: (record: Record<string, unknown>) => string;
}

export class NdjsonOutputBolt implements Bolt {
  readonly ackMode = 'manual' as const;
  readonly #options: NdjsonOutputBoltOptions;
  #maxRecords = 250;
  #collector!: OutputCollector;
  #context!: TopologyContext;
  #fs!: FileSystem;
  #lines: string[] = [];
  #tuples: Tuple[] = [];
  /** Identities committed, and those in the batch being filled. */
  readonly #committed = new Set<string>();
  #batchIds = new Set<string>();
  #kinds: string[] = [];
  #files = 0;
  #committing: Promise<void> = Promise.resolve();
  #hold!: StorageHold;
  #records!: OutputRecordCounters;

  constructor(options: NdjsonOutputBoltOptions) {
    this.#options = options;
  }

  async prepare(context: TopologyContext, collector: OutputCollector): Promise<void> {
    this.#context = context;
    this.#collector = collector;
    this.#fs = this.#options.fs();
    this.#records = outputRecordCounters(context.metrics);
    this.#hold = StorageHold.forTask(context, collector, `writing ${this.#options.name} under ${this.#options.dir}`);
    // A crash leaves this task's uncommitted files behind; their tuples were never acked and
    // will be replayed, so the files go.
    if (await this.#fs.exists(this.#options.dir)) {
      const mine = new RegExp(`^_tmp\\.${this.#options.name.replace(/[^\w-]/g, '\\$&')}-\\d+-${context.taskId}-\\d+\\.ndjson$`);
      const committed = new RegExp(`^${this.#options.name.replace(/[^\w-]/g, '\\$&')}-[\\d-]+\\.ndjson$`);
      for (const f of await this.#fs.list(this.#options.dir)) {
        if (mine.test(f.name)) await this.#fs.delete(f.path);
        else if (this.#options.identity !== undefined && committed.test(f.name)) this.#readBack(await this.#fs.read(f.path));
      }
    }
    // Tuples wait here for their ack; commit before a spout's maxSpoutPending is all held here.
    this.#maxRecords = this.#options.maxRecords ?? Math.max(1, Math.floor(Number(context.config.maxSpoutPending ?? 1000) / 4));
  }

  execute(tuple: Tuple): void | Promise<void> {
    if (tuple.isTick()) return this.#commit();
    const record = this.#options.toObject(tuple);
    const id = this.#options.identity?.(record as Record<string, unknown>);
    if (id !== undefined && this.#committed.has(id)) {
      this.#records.held.inc();
      this.#collector.ack(tuple);
      return;
    }
    this.#records.written.inc();
    // A second copy in the batch being filled is acked with it, not written.
    if (id === undefined || !this.#batchIds.has(id)) {
      this.#lines.push(JSON.stringify(record));
      this.#kinds.push(this.#options.kindOf?.(record as Record<string, unknown>) ?? '');
    }
    if (id !== undefined) this.#batchIds.add(id);
    this.#tuples.push(tuple);
    if (this.#lines.length >= this.#maxRecords) return this.#commit();
  }

  /** The count of records of `kind` committed. */
  #written(kind: string): { inc(by?: number): void } {
    return this.#context.metrics.counter('ndjson_output_records_total', 'Records committed to an NDJSON output, by kind (for errors: the kind of reason)', { output: this.#options.name, kind });
  }

  #readBack(data: Buffer): void {
    for (const line of data.toString('utf8').split('\n')) {
      const id = line === '' ? undefined : this.#options.identity!(JSON.parse(line) as Record<string, unknown>);
      if (id !== undefined) this.#committed.add(id);
    }
  }

  flush(): Promise<void> {
    return this.#commit();
  }

  cleanup(): void {
    this.#hold?.close();
  }

  #commit(): Promise<void> {
    if (this.#lines.length === 0) return this.#committing;
    const lines = this.#lines;
    const tuples = this.#tuples;
    const ids = this.#batchIds;
    const kinds = this.#kinds;
    this.#kinds = [];
    this.#lines = [];
    this.#tuples = [];
    this.#batchIds = new Set();
    this.#committing = this.#committing.then(async () => {
      const stamp = `${Date.now()}-${this.#context.taskId}-${++this.#files}`;
      const final = joinPath(this.#options.dir, `${this.#options.name}-${stamp}.ndjson`);
      const temp = joinPath(this.#options.dir, `_tmp.${this.#options.name}-${stamp}.ndjson`);
      const data = Buffer.from(`${lines.join('\n')}\n`);
      try {
        await this.#hold.run(async () => {
          await this.#fs.create(temp, data, { overwrite: true });
          await this.#fs.sync(temp);
          await this.#fs.rename(temp, final);
        });
        for (const id of ids) this.#committed.add(id);
        const byKind = new Map<string, number>();
        for (const kind of kinds) byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
        for (const [kind, n] of byKind) this.#written(kind).inc(n);
        for (const t of tuples) this.#collector.ack(t);
      } catch (error) {
        for (const t of tuples) this.#collector.fail(t, error as Error);
      }
    });
    return this.#committing;
  }
}
