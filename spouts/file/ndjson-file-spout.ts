/**
 * A replayable spout over line-oriented files: one file, a directory or glob of them (rotated
 * logs, read in name order), plain, gzip or zstd, or stdin. Each line that is not blank becomes a source
 * record (`SOURCE_RECORD_FIELDS`): the file's source topic (`<name>#<identity>`, see
 * `sourceTopic`), partition 0, the line number as offset, and the raw text as `value`; parsing
 * is the next bolt's job, so a malformed line is reported downstream with its reason instead of
 * vanishing here.
 *
 * - A failed line is emitted again, up to `maxRetries` times; after that it goes to the `errors`
 *   stream with the last failure's reason.
 * - Each file is its own source, as a Kafka partition is, named by its first line rather than
 *   its path: a renamed or compressed rotated file is the same source. With `state` and
 *   `startOffsets`, a file is read on from where earlier runs left it.
 * - A file that cannot be read on (corrupt, cut short, removed) costs an error record naming it
 *   and the byte offset, and the spout goes on with the next file.
 * - A blank line (empty, or only whitespace) holds no record: it is skipped and counted
 *   (`records().blank`, the `input_blank_lines_total` metric), and the run's summary says how many.
 * - Without `follow` the spout is exhausted once every file is read and no replay is waiting, so
 *   a local run over files ends by itself.
 */
import { ErrorCodes, type FailReason, type Spout, type SpoutOutputCollector, type SpoutRecordCounts, SquallError, type TopologyContext } from '../../core/index.js';
import { type GivenUp, ReplayBuffer } from '../replay-buffer.js';
import { originOf } from '../source-record.js';
import { type Damage, FileInputCursor, type LineChunk } from './file-input-cursor.js';
import { FileSourceState } from './file-source-state.js';
import { type CompiledNdjsonFileSpoutOptions, type NdjsonFileSpoutOptions, compileNdjsonFileSpoutOptions } from './file-spout-options.js';
import { resolveInput } from './input-paths.js';
import type { SourceProgress } from './source-progress.js';

/** A line has no headers: one frozen object for all of them rather than a new one per line. */
const NO_HEADERS = Object.freeze({});

interface InFlight {
  readonly source: SourceProgress;
  readonly line: number;
}

export class NdjsonFileSpout implements Spout {
  readonly #o: CompiledNdjsonFileSpoutOptions;
  readonly #replay: ReplayBuffer<string>;
  readonly #inFlight = new Map<number, InFlight>();
  #collector!: SpoutOutputCollector;
  #context!: TopologyContext;
  #cursor!: FileInputCursor;
  #state!: FileSourceState;
  #chunk: LineChunk | undefined;
  #index = 0;
  #nextId = 0;
  #dirty = false;
  #blank!: { value: number; inc(by?: number): void };
  #saving: Promise<void> = Promise.resolve();
  #saveTimer: NodeJS.Timeout | undefined;

  constructor(options: NdjsonFileSpoutOptions) {
    this.#o = compileNdjsonFileSpoutOptions(options);
    this.#replay = new ReplayBuffer(this.#o.maxRetries);
  }

  async open(context: TopologyContext, collector: SpoutOutputCollector): Promise<void> {
    this.#context = context;
    this.#collector = collector;
    if (context.componentTasks.length > 1) {
      // Each task would read every file: one reads them all, in order.
      throw new SquallError(ErrorCodes.INVALID_CONFIG, `the file spout '${context.componentId}' has ${context.componentTasks.length} tasks: give it one (parallelism and tasks 1)`);
    }
    const { path } = this.#o;
    const input = path === '-' ? { stdin: this.#o.stdin ?? process.stdin } : await resolveInput(path);
    this.#state = await FileSourceState.load(this.#o.state, context.logger);
    this.#cursor = new FileInputCursor({ input, follow: this.#o.follow, pollIntervalMs: this.#o.pollIntervalMs, state: this.#state, startOffsets: this.#o.startOffsets, knownTopics: this.#o.knownTopics });
    await this.#cursor.open();
    const m = context.metrics;
    this.#blank = m.counter('input_blank_lines_total', 'Blank lines of the input (empty or only whitespace), skipped: they hold no record');
    const cursor = this.#cursor;
    m.gauge('input_files', 'Files of the input listed so far', {}, () => cursor.filesTotal);
    m.gauge('input_files_done', 'Files of the input read to their end (or given up as damaged)', {}, () => cursor.filesDone);
    m.gauge('input_bytes', 'Bytes of the input files listed so far, as stored (compressed)', {}, () => cursor.bytesTotal);
    m.gauge('input_bytes_read', 'Bytes of the input read so far, as stored (compressed)', {}, () => cursor.bytesRead);
    if (this.#o.state !== undefined) {
      this.#saveTimer = setInterval(() => void this.#save(), this.#o.stateSaveIntervalMs);
      this.#saveTimer.unref();
    }
  }

  nextTuple(): void | Promise<void> {
    const replay = this.#replay.nextReplay();
    if (replay !== undefined) {
      const { source, line } = this.#inFlight.get(replay.id)!;
      if (replay.givenUp === undefined) this.#emit(source, line, replay.value, replay.id);
      else this.#emitGivenUp(replay.id, replay.givenUp, source, line);
      return;
    }
    if (this.#emitNextLine()) return;
    if (!this.#cursor.finished) return this.#readAndEmit();
  }

  /** Emits the next line of the chunk at hand; false when the chunk has none left. */
  #emitNextLine(): boolean {
    const chunk = this.#chunk;
    while (chunk !== undefined && this.#index < chunk.lines.length) {
      const value = chunk.lines[this.#index]!;
      const line = chunk.from + this.#index++;
      const source = chunk.progress;
      if (line > source.readThrough) source.readThrough = line;
      if (line <= chunk.skipThrough) continue;
      if (value.trim().length === 0) {
        this.#blank.inc();
        continue;
      }
      if (this.#o.untracked) this.#emit(source, line, value, undefined);
      else {
        const id = ++this.#nextId;
        this.#replay.track(id, value);
        this.#inFlight.set(id, { source, line });
        source.emitted(line);
        this.#emit(source, line, value, id);
      }
      return true;
    }
    this.#chunk = undefined;
    return false;
  }

  /**
   * Reads on and emits the first line found, in the same call: a call that emits nothing makes
   * the engine back off, which would cost a pause per chunk.
   */
  async #readAndEmit(): Promise<void> {
    for (;;) {
      const next: LineChunk | Damage | undefined = await this.#cursor.next();
      if (next === undefined) return;
      if ('damaged' in next) {
        this.#context.logger.warn(next.damaged.reason, { origin: next.damaged.origin });
        this.#collector.emitTo('errors', ['', next.damaged.reason, next.damaged.origin]);
        return;
      }
      this.#chunk = next;
      this.#index = 0;
      if (this.#emitNextLine()) return;
    }
  }

  #emit(source: SourceProgress, line: number, value: string, id: number | undefined): void {
    this.#collector.emit([source.topic, 0, line, null, value, Date.now(), NO_HEADERS, null], id);
  }

  ack(msgId: unknown): void {
    const done = this.#inFlight.get(msgId as number);
    if (done === undefined) return;
    this.#inFlight.delete(msgId as number);
    this.#replay.ack(msgId as number);
    done.source.done(done.line);
    this.#dirty = true;
  }

  fail(msgId: unknown, reason: FailReason): void {
    const givenUp = this.#replay.fail(msgId as number, reason);
    if (givenUp === undefined) return;
    const { source, line } = this.#inFlight.get(msgId as number)!;
    this.#emitGivenUp(msgId as number, givenUp, source, line);
  }

  /** To errors, tracked under the line's id: the line is done (acked) once the errors output has it. */
  #emitGivenUp(id: number, givenUp: GivenUp<string>, source: SourceProgress, line: number): void {
    this.#collector.emitTo('errors', [givenUp.value, givenUp.reason, originOf(source.topic, 0, line)], id);
  }

  records(): SpoutRecordCounts {
    return { ...this.#replay.counts(), blank: this.#blank?.value ?? 0 };
  }

  exhausted(): boolean {
    return this.#cursor.finished && this.#chunk === undefined && !this.#replay.replaysWaiting;
  }

  async close(): Promise<void> {
    clearInterval(this.#saveTimer);
    // Lines skipped as done (the sink had them) move a source too, without an ack.
    this.#dirty = true;
    await this.#save();
    await this.#cursor?.close();
  }

  /** Saves how far each file is done; one save at a time, and only when something changed. */
  #save(): Promise<void> {
    if (this.#o.state === undefined || this.#state === undefined || !this.#dirty) return this.#saving;
    this.#dirty = false;
    this.#saving = this.#saving
      .then(() => this.#state.save(this.#cursor.sources()))
      .catch((error: unknown) => this.#context.logger.warn('could not save the file source state; the next run reads again from the last saved', { error: (error as Error).message }));
    return this.#saving;
  }
}
