/**
 * A sink task's files: those open for writing, keyed by hour and source, and those committing
 * in the background, with the tuples each holds. A file due for commit leaves the open set at
 * once, so the next record of its key opens a new file while the old one closes and is renamed.
 */
import type { Tuple } from '../../core/index.js';
import type { InProgressFile } from './in-progress-file.js';

export class SinkFiles {
  readonly open = new Map<string, InProgressFile>();
  /** Files whose commit has started and not ended. */
  readonly committing = new Set<InProgressFile>();
  /** Tuples in open files. */
  held = 0;
  /** Tuples in committing files. */
  committingHeld = 0;
  /** Resolves when the commit in progress ends; one per committing file. */
  readonly #commits = new Set<Promise<void>>();
  readonly #commit: (file: InProgressFile) => Promise<void>;
  readonly #ended: () => void;

  /** `commit` commits one file (acking or failing its tuples); `ended` runs after each commit ends. */
  constructor(commit: (file: InProgressFile) => Promise<void>, ended: () => void) {
    this.#commit = commit;
    this.#ended = ended;
  }

  /** Files open or committing. */
  get size(): number {
    return this.open.size + this.committing.size;
  }

  /** Commits started and not ended. */
  get commitsInFlight(): number {
    return this.#commits.size;
  }

  /** A tuple whose record is in `file` waits for its commit. */
  hold(file: InProgressFile, tuple: Tuple): void {
    file.tuples.push(tuple);
    this.held++;
  }

  /** Starts committing a file in the background. */
  startCommit(file: InProgressFile): void {
    this.open.delete(file.key);
    this.held -= file.tuples.length;
    this.committing.add(file);
    this.committingHeld += file.tuples.length;
    const done: Promise<void> = this.#commit(file).then(() => {
      this.#commits.delete(done);
      this.#ended();
    });
    this.#commits.add(done);
  }

  /** Starts committing every open file. */
  commitOpen(): void {
    for (const f of [...this.open.values()]) this.startCommit(f);
  }

  /** Waits for every commit started so far. */
  async settle(): Promise<void> {
    while (this.#commits.size > 0) await Promise.all([...this.#commits]);
  }

  /** A committing file's commit ended well: false when the file was given up on meanwhile. */
  committed(file: InProgressFile): boolean {
    if (!this.committing.delete(file)) return false;
    this.committingHeld -= file.tuples.length;
    return true;
  }

  /** Forgets a file given up on, wherever it was. */
  remove(file: InProgressFile): void {
    if (this.committing.delete(file)) this.committingHeld -= file.tuples.length;
    else if (this.open.get(file.key) === file) {
      this.open.delete(file.key);
      this.held -= file.tuples.length;
    }
  }

  /**
   * A replay of an offset written in this run: when an open or committing file of its source
   * and lease holds it (whatever hour the partitioner picks now), the tuple joins that file's
   * tuples (acked with it, or failed if it fails). False when no file holds it.
   */
  holdReplay(tuple: Tuple, key: string, offset: number, lease: string | undefined): boolean {
    for (const f of this.open.values()) {
      if (f.source === key && f.lease?.id === lease && f.offsets.has(offset)) {
        this.hold(f, tuple);
        return true;
      }
    }
    for (const f of this.committing) {
      if (f.source === key && f.lease?.id === lease && f.offsets.has(offset)) {
        f.tuples.push(tuple);
        this.committingHeld++;
        return true;
      }
    }
    return false;
  }
}
