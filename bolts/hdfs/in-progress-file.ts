/**
 * One file being written: the records of one source partition (topic, partition) in one output
 * partition (an hour), under a temporary name until it is committed. It holds the tuples whose
 * records it contains, to ack them once it is committed or fail them if it cannot be.
 */
import { randomBytes } from 'node:crypto';
import type { Tuple } from '../../core/index.js';
import type { FileNameFormat } from './file-name-format.js';
import { type CreateOptions, type FileStream, type FileSystem, joinPath } from './file-system.js';
import { OffsetRanges } from './offset-ranges.js';
import { sourceKey } from './output-scan.js';
import type { Partition } from './partitioner.js';
import type { RecordWriter } from './record-format.js';
import type { OpenFileStats } from './rotation-policy.js';

/** The JSON of an offsets manifest, written next to a committed file whose offsets have gaps. */
function manifestJson(file: InProgressFile): Buffer {
  return Buffer.from(JSON.stringify({ topic: file.topic, partition: file.sourcePartition, ranges: file.offsets.ranges() }));
}

export class InProgressFile implements OpenFileStats {
  /** Offsets whose records the file holds. */
  readonly offsets = new OffsetRanges();
  /** Tuples to ack on commit (a replayed offset adds a second tuple, not a second record). */
  readonly tuples: Tuple[] = [];
  /** Absolute path of the partition directory. */
  readonly dir: string;
  /**
   * Where the file is written until it is committed: its lease's directory when the source
   * partition is leased (see partition-leases.ts), else the partition directory.
   */
  readonly tempDir: string;
  readonly tempPath: string;
  /** True once the temporary file exists on the filesystem. */
  created = false;
  /** The temporary manifest of a commit under way, until it is renamed into place. */
  tempManifestPath: string | undefined;
  /** Set once the sink gave up on the file (its tuples failed). */
  abandoned = false;
  /** Bytes already handed to the filesystem. */
  flushedBytes = 0;
  /** The open stream, on filesystems that have them. */
  #stream: FileStream | undefined;
  /** The last write sent: writes reach the filesystem one after the other, in order. */
  #writing: Promise<void> = Promise.resolve();
  /** Why a write failed; every later write and the commit fail with it. */
  #failure: unknown;
  /** Chunk writes asked for and not ended. */
  #queued = 0;

  constructor(
    readonly key: string,
    root: string,
    readonly partition: Partition,
    readonly topic: string,
    readonly sourcePartition: number,
    firstOffset: number,
    readonly writer: RecordWriter,
    readonly extension: string,
    readonly openedAt: number,
    owner: string,
    names: FileNameFormat,
    /** The lease its records were read under, with its directory; undefined for an unleased source. */
    readonly lease?: { readonly id: string; readonly dir: string },
  ) {
    this.dir = joinPath(root, partition.path);
    this.tempDir = lease?.dir ?? this.dir;
    const nonce = randomBytes(4).toString('hex');
    this.tempPath = joinPath(this.tempDir, names.temporary(owner, nonce, { topic, partition: sourcePartition, firstOffset }, extension));
  }

  /** Create options for files in {@link tempDir}: a lease's directory is never made again once fenced. */
  get #createOptions(): CreateOptions {
    return this.lease === undefined ? { overwrite: true } : { overwrite: true, createParent: false };
  }

  get bytes(): number {
    return this.writer.bytes;
  }

  get records(): number {
    return this.writer.records;
  }

  /** Encoded bytes ready to be sent to the filesystem. */
  get readyBytes(): number {
    return this.writer.readyBytes;
  }

  /** The key of the source partition, as in committed-offset maps. */
  get source(): string {
    return sourceKey(this.topic, this.sourcePartition);
  }

  /**
   * Sends the bytes that are ready to the filesystem: through one stream for the whole file where
   * the filesystem has streams, else a create the first time and appends after. Calls made
   * before an earlier one ends wait for it.
   */
  writeChunk(fs: FileSystem, last = false): Promise<void> {
    this.#queued++;
    const next = this.#writing.then(() => {
      // A failed write took bytes it could not deliver: the file is broken for good.
      if (this.#failure !== undefined) throw this.#failure;
      return this.#send(fs, last);
    });
    this.#writing = next.then(
      () => void this.#queued--,
      (error: unknown) => {
        this.#queued--;
        this.#failure ??= error;
      },
    );
    return next;
  }

  /** True while a {@link writeChunk} has not ended: the bytes ready by then go with it. */
  get writing(): boolean {
    return this.#queued > 0;
  }

  /** Resolves once every chunk asked for so far is written, or has failed (never rejects). */
  written(): Promise<void> {
    return this.#writing;
  }

  async #send(fs: FileSystem, last: boolean): Promise<void> {
    const data = last ? this.writer.end() : this.writer.take();
    if (data === undefined || (data.length === 0 && this.created)) return;
    if (!this.created) {
      if (fs.createStream !== undefined) {
        this.#stream = await fs.createStream(this.tempPath, this.#createOptions);
        this.created = true;
        await this.#stream.write(data);
      } else {
        await fs.create(this.tempPath, data, this.#createOptions);
        this.created = true;
      }
    } else if (this.#stream !== undefined) {
      await this.#stream.write(data);
    } else {
      await fs.append(this.tempPath, data);
    }
    this.flushedBytes += data.length;
  }

  /** Releases the stream of a file given up on. */
  abort(): void {
    this.#stream?.abort();
  }

  /**
   * Commits: writes what is left, syncs, writes the offsets manifest when the offsets have gaps,
   * and renames the file to its committed name. Resolves with the committed path.
   * `staleManifests` holds manifests left by commits that stopped half way; one with this
   * file's name is replaced or removed first, so it never describes this file wrongly.
   */
  /** The temporary files this file may have left on the filesystem: its data, and a manifest being committed. */
  get tempPaths(): string[] {
    return [...(this.created ? [this.tempPath] : []), ...(this.tempManifestPath === undefined ? [] : [this.tempManifestPath])];
  }

  async commit(fs: FileSystem, names: FileNameFormat, owner: string, staleManifests: Set<string>): Promise<string> {
    await this.writeChunk(fs, true);
    if (this.#stream !== undefined) await this.#stream.close();
    else await fs.sync(this.tempPath);
    const name = names.committed({ topic: this.topic, partition: this.sourcePartition, firstOffset: this.offsets.min!, lastOffset: this.offsets.max!, lease: this.lease?.id }, this.extension);
    const finalPath = joinPath(this.dir, name);
    const manifestPath = joinPath(this.dir, names.manifest(name));
    // A leased file is renamed out of its lease's directory into its hour, which may not exist yet.
    if (this.lease !== undefined) await fs.mkdirs(this.dir);
    if (!this.offsets.contiguous) {
      // The manifest lands before the data, so a committed file with gaps always has one.
      const tempManifest = joinPath(this.tempDir, names.temporary(owner, randomBytes(4).toString('hex'), { topic: this.topic, partition: this.sourcePartition, firstOffset: this.offsets.min! }, '.json'));
      // Set before the create: a create that fails may still leave the file (empty) behind.
      this.tempManifestPath = tempManifest;
      await fs.create(tempManifest, manifestJson(this), this.#createOptions);
      await fs.sync(tempManifest);
      if (staleManifests.has(manifestPath)) await fs.delete(manifestPath);
      await fs.rename(tempManifest, manifestPath);
      this.tempManifestPath = undefined;
      staleManifests.add(manifestPath);
    } else if (staleManifests.has(manifestPath)) {
      await fs.delete(manifestPath);
    }
    await fs.rename(this.tempPath, finalPath);
    staleManifests.delete(manifestPath);
    return finalPath;
  }
}
