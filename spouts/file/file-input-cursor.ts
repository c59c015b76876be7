/**
 * Walks the input: its files one after another in name order (and, with `follow`, the files that
 * appear later), or stdin, handing out each file's lines in chunks with their line numbers. It
 * identifies each file by its first line, finds where the last runs left it (the saved state,
 * then the sink's committed offsets), and turns a file that cannot be read on into one damage
 * report, after which it goes on with the next file.
 */
import type { Readable } from 'node:stream';
import { StreamChunks } from './chunk-source.js';
import { fileIdentity, sourceTopic } from './file-identity.js';
import { FileReadError } from './file-read-error.js';
import type { FileSourceState } from './file-source-state.js';
import { type InputFile, type InputRoot, checkInputFiles, listInputFiles } from './input-paths.js';
import { LineReader } from './line-reader.js';
import { SourceProgress } from './source-progress.js';
import { ErrorCodes, SquallError } from '../../core/index.js';

/** Where a source should start: the Kafka spout's `startOffsets` hook (see `resumeAfterCommitted`). */
export type StartOffsetsHook = (topic: string, partition: number, position: { readonly committedOffset: string | undefined }) => Promise<string | undefined>;

/** Lines of one source: `lines[i]` is line `from + i`; lines up to `skipThrough` are done already. */
export interface LineChunk {
  readonly progress: SourceProgress;
  readonly from: number;
  readonly lines: readonly string[];
  readonly skipThrough: number;
}

/** A file that could not be read on: what to send to the errors stream. */
export interface Damage {
  readonly damaged: { readonly reason: string; readonly origin: string };
}

interface Current {
  readonly file: InputFile;
  readonly reader: LineReader;
  progress: SourceProgress | undefined;
  skipThrough: number;
  lines: number;
  /** The lines read before the file is identified. */
  unidentified: string[];
}

export interface FileInputCursorOptions {
  /** The input's files, or a stream for stdin. */
  readonly input: InputRoot | { readonly stdin: Readable };
  readonly follow: boolean;
  readonly pollIntervalMs: number;
  readonly state: FileSourceState;
  readonly startOffsets: StartOffsetsHook | undefined;
  readonly knownTopics: (() => Promise<Iterable<string>>) | undefined;
}

const nonBlank = (line: string) => line.trim().length > 0;

export class FileInputCursor {
  readonly #o: FileInputCursorOptions;
  readonly #queue: InputFile[] = [];
  readonly #listed = new Set<string>();
  readonly #sources = new Map<string, SourceProgress>();
  #current: Current | undefined;
  #known: Map<string, string> | undefined;
  #idleUntil = 0;
  #lastListing = 0;
  #filesTotal = 0;
  #filesDone = 0;
  #bytesTotal = 0;
  #bytesDone = 0;

  constructor(options: FileInputCursorOptions) {
    this.#o = options;
  }

  /** Lists the input's files and checks they can be read; stdin starts at once. */
  async open(): Promise<void> {
    const input = this.#o.input;
    if ('stdin' in input) {
      const stamp = new Date().toISOString().replace(/[-:.]/g, '');
      const progress = new SourceProgress(`stdin.${stamp}`, '', 0);
      this.#current = { file: { path: '-', name: 'stdin', size: 0 }, reader: new LineReader(new StreamChunks(input.stdin, 'none')), progress, skipThrough: 0, lines: 0, unidentified: [] };
      this.#filesTotal = 1;
      return;
    }
    const files = await this.#list(input);
    await checkInputFiles(files);
    if (files.length === 0 && !this.#o.follow) {
      throw new SquallError(ErrorCodes.INVALID_CONFIG, `input '${input.root}' holds no file to read${input.single ? '' : ' (names starting with . are skipped)'}: check the path or the glob, or add --follow to wait for files`);
    }
  }

  /** The next chunk of lines, a damaged file, or undefined when there is nothing to read now. */
  async next(): Promise<LineChunk | Damage | undefined> {
    const input = this.#o.input;
    if (this.#o.follow && !('stdin' in input) && Date.now() - this.#lastListing >= this.#o.pollIntervalMs) await this.#list(input);
    if (this.#current === undefined) {
      const file = this.#queue.shift();
      if (file === undefined) return undefined;
      try {
        this.#current = { file, reader: await LineReader.open(file.path), progress: undefined, skipThrough: 0, lines: 0, unidentified: [] };
      } catch (error) {
        return this.#damaged(file, undefined, 1, error);
      }
    }
    const c = this.#current;
    // A file is read to its end once a newer one is there, or when not following.
    const final = !this.#o.follow || this.#queue.length > 0;
    // Asking where the file starts failed last time: ask again, with the lines already read.
    const retry = c.progress === undefined && c.unidentified.some(nonBlank);
    if (!retry && !final && Date.now() < this.#idleUntil) return undefined;
    let lines: string[] = [];
    if (!retry) {
      try {
        lines = await c.reader.readLines(final);
      } catch (error) {
        return this.#damaged(c.file, c.progress, c.lines + 1, error);
      }
    }
    if (c.progress === undefined) {
      // The lines wait here until the file is identified by its first line that is not blank.
      c.unidentified.push(...lines);
      const first = c.unidentified.find(nonBlank);
      if (first === undefined) return this.#nothingYet(c, final);
      c.progress = await this.#identify(c, first);
      lines = c.unidentified;
      c.unidentified = [];
    } else if (lines.length === 0) return this.#nothingYet(c, final);
    const from = c.lines + 1;
    c.lines += lines.length;
    return { progress: c.progress, from, lines, skipThrough: c.skipThrough };
  }

  /** Nothing to hand out now: the file is done, or (followed) looked at again after a pause. */
  async #nothingYet(c: Current, final: boolean): Promise<undefined> {
    if (c.reader.eof) await this.#finish();
    else if (!final) this.#idleUntil = Date.now() + this.#o.pollIntervalMs;
    return undefined;
  }

  /** True when every file is read and no more will come. */
  get finished(): boolean {
    return (!this.#o.follow || 'stdin' in this.#o.input) && this.#current === undefined && this.#queue.length === 0;
  }

  /** The sources read in this run. */
  sources(): Iterable<SourceProgress> {
    return this.#sources.values();
  }

  get filesTotal(): number {
    return this.#filesTotal;
  }

  get filesDone(): number {
    return this.#filesDone;
  }

  get bytesTotal(): number {
    return this.#bytesTotal;
  }

  get bytesRead(): number {
    return this.#bytesDone + (this.#current?.reader.storedBytes ?? 0);
  }

  async close(): Promise<void> {
    await this.#current?.reader.close();
    this.#current = undefined;
  }

  async #list(input: InputRoot): Promise<InputFile[]> {
    this.#lastListing = Date.now();
    const files = input.single && this.#listed.size > 0 ? [] : await listInputFiles(input, this.#listed);
    for (const f of files) {
      this.#listed.add(f.name);
      this.#queue.push(f);
      this.#filesTotal++;
      this.#bytesTotal += f.size;
    }
    return files;
  }

  /** The source of a file whose first line that is not blank is `firstLine`, and the lines of it already done. */
  async #identify(c: Current, firstLine: string): Promise<SourceProgress> {
    const identity = fileIdentity(firstLine);
    const saved = this.#o.state.get(identity);
    const topic = saved?.topic ?? (await this.#knownTopic(identity)) ?? sourceTopic(c.file.name, identity);
    const doneThrough = saved?.doneThrough ?? 0;
    const next = (await this.#o.startOffsets?.(topic, 0, { committedOffset: String(doneThrough + 1) })) ?? String(doneThrough + 1);
    // The same content under a second name in this run (a copy): read on after the first.
    const seen = this.#sources.get(identity);
    const progress = seen ?? new SourceProgress(topic, identity, 0);
    this.#sources.set(identity, progress);
    c.skipThrough = Math.max(Number(next) - 1, seen?.readThrough ?? 0);
    return progress;
  }

  /** The topic the output holds for a file of this identity, whatever its name now. */
  async #knownTopic(identity: string): Promise<string | undefined> {
    if (this.#o.knownTopics === undefined) return undefined;
    if (this.#known === undefined) {
      const known = new Map<string, string>();
      for (const topic of await this.#o.knownTopics()) {
        const id = /#([0-9a-f]{16})$/.exec(topic)?.[1];
        if (id !== undefined) known.set(id, topic);
      }
      this.#known = known;
    }
    return this.#known.get(identity);
  }

  async #finish(): Promise<void> {
    const c = this.#current!;
    this.#current = undefined;
    this.#filesDone++;
    this.#bytesDone += c.reader.storedBytes;
    await c.reader.close();
  }

  async #damaged(file: InputFile, progress: SourceProgress | undefined, line: number, error: unknown): Promise<Damage> {
    if (this.#current?.file === file) await this.#finish().catch(() => undefined);
    else this.#filesDone++;
    const at = error instanceof FileReadError ? error.byteOffset : 0;
    const what = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file was removed before it was read' : (error as Error).message;
    const reason = `cannot read '${file.path}' on from byte ${at} (line ${line}): ${what}; the rest of the file is skipped`;
    return { damaged: { reason, origin: `${progress?.topic ?? file.name}/0@${line}` } };
  }
}
