/**
 * Temporary files a failed write or commit left behind (a data file, or a manifest HDFS created
 * empty before it went down). The sink removes them as soon as the failure is known, best
 * effort; one that cannot be removed then (the storage is still down) is kept here and removed
 * before the next commit, so a leftover does not outlive the failure in the running process.
 */
import type { FileSystem } from './file-system.js';

export class TempLeftovers {
  readonly #fs: FileSystem;
  /** Paths whose removal failed, to try again. */
  readonly #pending = new Set<string>();

  constructor(fs: FileSystem) {
    this.#fs = fs;
  }

  /** How many leftovers wait for their removal. */
  get size(): number {
    return this.#pending.size;
  }

  /** Removes `paths`, best effort; a path that cannot be removed now is tried again by {@link sweep}. Never throws. */
  async remove(paths: readonly string[]): Promise<void> {
    await Promise.all(
      paths.map(async (path) => {
        try {
          await this.#fs.delete(path);
          this.#pending.delete(path);
        } catch {
          this.#pending.add(path);
        }
      }),
    );
  }

  /** Tries again to remove every leftover (before a commit: the storage may be back). Never throws. */
  sweep(): Promise<void> {
    return this.#pending.size === 0 ? Promise.resolve() : this.remove([...this.#pending]);
  }
}
