/**
 * What the file source remembers between runs, per file identity: the topic it was first read
 * under and the line through which every line is done (acked: committed by the sink, or written
 * to the errors output). It is the file source's consumer offsets, kept where the topology keeps
 * state (a `CheckpointStore`). The sink's committed offsets stay the authority on what is in
 * the output: this only saves reading, and refining again, what is already done.
 */
import type { Logger } from '../../core/index.js';
import type { SourceProgress } from './source-progress.js';

/** Where the state is kept: the shape of `bolts/webrequest`'s `CheckpointStore`. */
export interface SourceStateStore {
  load(): Promise<unknown>;
  save(state: unknown): Promise<void>;
}

/** A file source as saved. */
export interface SavedSource {
  readonly topic: string;
  readonly doneThrough: number;
}

const VERSION = 1;

export class FileSourceState {
  readonly #sources = new Map<string, SavedSource>();
  readonly #store: SourceStateStore | undefined;

  private constructor(store: SourceStateStore | undefined) {
    this.#store = store;
  }

  /** The state saved in `store`; an empty one without a store, or when the saved one is not ours. */
  static async load(store: SourceStateStore | undefined, logger: Logger): Promise<FileSourceState> {
    const state = new FileSourceState(store);
    const saved = (await store?.load()) as { version?: unknown; sources?: Record<string, SavedSource> } | undefined;
    if (saved === undefined || saved === null) return state;
    if (saved.version !== VERSION || typeof saved.sources !== 'object' || saved.sources === null) {
      logger.warn('the file source state is not one this version reads; starting from the committed output alone');
      return state;
    }
    for (const [identity, s] of Object.entries(saved.sources)) {
      if (typeof s?.topic === 'string' && Number.isSafeInteger(s.doneThrough)) state.#sources.set(identity, { topic: s.topic, doneThrough: s.doneThrough });
    }
    return state;
  }

  get(identity: string): SavedSource | undefined {
    return this.#sources.get(identity);
  }

  /** Records the sources' progress and saves the whole state, when it moved. */
  async save(sources: Iterable<SourceProgress>): Promise<void> {
    let moved = false;
    for (const s of sources) {
      const before = this.#sources.get(s.identity);
      if (before !== undefined && before.doneThrough >= s.doneThrough) continue;
      this.#sources.set(s.identity, { topic: s.topic, doneThrough: s.doneThrough });
      moved = true;
    }
    if (moved) await this.#store?.save({ version: VERSION, sources: Object.fromEntries(this.#sources) });
  }
}
