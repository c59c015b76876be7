/**
 * Where a stateful bolt keeps its state between runs. Each save writes a new numbered file and
 * then drops the older ones, so a crash mid-save leaves the previous checkpoint readable.
 */
import type { FileSystem } from '../../core/index.js';

export interface CheckpointStore {
  load(): Promise<unknown | undefined>;
  save(state: unknown): Promise<void>;
}

export class FileCheckpointStore implements CheckpointStore {
  readonly #fs: FileSystem;
  readonly #dir: string;
  #seq = 0;

  constructor(fs: FileSystem, dir: string) {
    this.#fs = fs;
    this.#dir = dir;
  }

  async load(): Promise<unknown | undefined> {
    if (!(await this.#fs.exists(this.#dir))) return undefined;
    const files = (await this.#fs.list(this.#dir)).filter((f) => /^\d+\.json$/.test(f.name)).sort((a, b) => parseInt(b.name) - parseInt(a.name));
    for (const file of files) {
      try {
        const state: unknown = JSON.parse((await this.#fs.read(file.path)).toString('utf8'));
        this.#seq = parseInt(file.name);
        return state;
      } catch {
        // A torn write: fall back to the one before it.
      }
    }
    return undefined;
  }

  async save(state: unknown): Promise<void> {
    const next = ++this.#seq;
    const path = `${this.#dir}/${next}.json`;
    await this.#fs.create(path, Buffer.from(JSON.stringify(state)), { overwrite: true });
    await this.#fs.sync(path);
    for (const f of await this.#fs.list(this.#dir)) {
      if (/^\d+\.json$/.test(f.name) && parseInt(f.name) < next) await this.#fs.delete(f.path);
    }
  }
}
