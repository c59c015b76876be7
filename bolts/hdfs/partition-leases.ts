/**
 * Leases on source partitions, kept in the sink's own storage: the fence that keeps a paused
 * or partitioned writer (a zombie) from committing a partition that has moved to another.
 *
 * Under `<root>/_leases/<topic>/<partition>/`:
 * - `<epoch>.claim`: a file created exclusively by each acquisition, so epochs only grow;
 * - `<epoch>/`: the lease's directory. The sink writes a leased file there under a temporary
 *   name, and commits it by renaming it out into its hour. Files are created there without
 *   creating parents, so nothing can be written under a lease whose directory is gone.
 *
 * Fencing a lease renames its directory away (then deletes it, and leaves a file of the lease's
 * name in its place so nothing can be created under that name again). A rename is atomic on HDFS and
 * on a local disk, so an old writer's commit (its own rename out of that directory) happens
 * either before the fence, and the new owner's scan (which follows the fence) sees the file, or
 * after it, and fails. A new owner acquires in three steps: claim the next epoch, make its
 * directory, then fence every lower lease. An acquisition that finds a higher claim once its
 * directory exists gives way. Whatever the interleaving, at most one lease of a partition has
 * a directory once every acquisition has finished: the newest.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger, PartitionFence, PartitionLease, PartitionPosition, PartitionSuperseded } from '../../core/index.js';
import { nullLogger } from '../../core/index.js';
import { HdfsErrorCodes, hasCode, hdfsError } from './errors.js';
import { encodeTopic } from './file-name-format.js';
import { type FileStatus, type FileSystem, joinPath } from './file-system.js';
import { listOrEmpty, type OutputScan, type ScanOptions, scanOutput, sourceKey } from './output-scan.js';

/** The directory under a sink's root that holds the leases. Hive skips names starting with `_`. */
export const LEASES_DIR = '_leases';

const CLAIM = /^(\d{10})\.claim$/;
const LEASE = /^\d{10}$/;
const GRAVE = /^fenced-/;
/** Tombstones of fenced leases kept below the newest epoch; older ones are removed. */
const TOMBSTONES_KEPT = 16;
/** Acquisitions racing for one epoch try again this many times before giving up (retriable). */
const MAX_CLAIM_ATTEMPTS = 20;

/** The lease string of an epoch: ten digits, so names sort as numbers. */
function leaseOf(epoch: number): string {
  return String(epoch).padStart(10, '0');
}

/** The directory holding a partition's claims and lease directories. */
export function partitionLeasesDir(root: string, topic: string, partition: number): string {
  return joinPath(root, LEASES_DIR, encodeTopic(topic), String(partition));
}

/** The directory a leased file is written in before it is committed. */
export function leaseDir(root: string, topic: string, partition: number, lease: string): string {
  return joinPath(partitionLeasesDir(root, topic, partition), lease);
}

/** Compares two leases of one partition: negative when `a` is older. */
export function compareLeases(a: string, b: string): number {
  return Number(a) - Number(b);
}

/** Options of {@link OutputPartitionFence}. */
export interface OutputPartitionFenceOptions extends ScanOptions {
  /** Who is acquiring, written into each claim for people reading the directory. @default `<host>:<pid>` */
  readonly writer?: string;
  /**
   * Where a partition starts: `'after-output'`, at the first offset from the group's committed
   * offset on that the output does not hold (it skips what this output committed beyond the
   * group's offset); `'group'`, at the group's committed offset itself. Choose `'group'` when
   * other outputs are fed from the same records and keep their own offsets (the webrequest
   * topology's side outputs): only the group's offset is past what every output holds, and each
   * output skips the replays it already holds. @default 'after-output'
   */
  readonly resumeFrom?: 'after-output' | 'group';
}

/**
 * The {@link PartitionFence} of an HDFS sink's output: give it to the source (the Kafka spout's
 * `fence` option) with the same filesystem and root as the sink.
 *
 * @example
 * ```ts
 * new KafkaSpout({ brokers, groupId, topics, fence: new OutputPartitionFence(() => fs, '/wmf/webrequest') });
 * ```
 */
export class OutputPartitionFence implements PartitionFence {
  readonly description: string;
  readonly #fs: () => FileSystem;
  readonly #root: string;
  readonly #options: OutputPartitionFenceOptions;
  readonly #logger: Logger;
  readonly #writer: string;
  /** The scan of the output in progress, and the one queued behind it for those who came later. */
  #runningScan: Promise<OutputScan> | undefined;
  #nextScan: Promise<OutputScan> | undefined;

  constructor(fileSystem: FileSystem | (() => FileSystem), root: string, options: OutputPartitionFenceOptions = {}) {
    this.#fs = typeof fileSystem === 'function' ? fileSystem : () => fileSystem;
    this.#root = root;
    this.#options = options;
    this.#logger = (options.logger ?? nullLogger).child('leases');
    this.#writer = options.writer ?? `${hostname()}:${process.pid}`;
    this.description = `${joinPath(root, LEASES_DIR)}`;
  }

  async acquire(topic: string, partition: number, position: PartitionPosition): Promise<PartitionLease | PartitionSuperseded> {
    const fs = this.#fs();
    const dir = partitionLeasesDir(this.#root, topic, partition);
    for (let attempt = 1; attempt <= MAX_CLAIM_ATTEMPTS; attempt++) {
      const epoch = newestClaim(await listOrEmpty(fs, dir)) + 1;
      const lease = leaseOf(epoch);
      try {
        await fs.create(joinPath(dir, `${lease}.claim`), Buffer.from(JSON.stringify({ writer: this.#writer, at: new Date().toISOString() })));
      } catch (error) {
        if (hasCode(error, HdfsErrorCodes.ALREADY_EXISTS)) continue; // another acquisition took this epoch
        throw error;
      }
      // A claim can be made again after a newer acquisition removed it (this one was paused between
      // its listing and its claim): a newer claim is then there, and this one gives way before it
      // makes a directory a fenced writer could use.
      const before = newestClaim(await listOrEmpty(fs, dir));
      if (before > epoch) return { superseded: leaseOf(before) };
      await fs.mkdirs(joinPath(dir, lease));
      const entries = await listOrEmpty(fs, dir);
      const newest = newestClaim(entries);
      if (newest > epoch) {
        await this.#fence(fs, dir, lease);
        return { superseded: leaseOf(newest) };
      }
      let fenced = 0;
      for (const e of entries) {
        const claim = e.type === 'file' ? CLAIM.exec(e.name) : null;
        const number = LEASE.test(e.name) ? Number(e.name) : NaN;
        if (e.type === 'directory' && number < epoch) fenced += (await this.#fence(fs, dir, e.name)) ? 1 : 0;
        else if (e.type === 'directory' && GRAVE.test(e.name)) await fs.delete(e.path, { recursive: true });
        else if (claim !== null && Number(claim[1]) < epoch) await fs.delete(e.path);
        else if (e.type === 'file' && number < epoch - TOMBSTONES_KEPT) await fs.delete(e.path);
      }
      const startOffset = await this.#startOffset(topic, partition, position);
      this.#logger.debug('partition acquired', { source: sourceKey(topic, partition), lease, fenced, startOffset });
      return { lease, startOffset };
    }
    throw hdfsError(HdfsErrorCodes.UNAVAILABLE, `could not claim a lease on ${sourceKey(topic, partition)} under ${dir} after ${MAX_CLAIM_ATTEMPTS} attempts: other writers kept taking each epoch`, { retriable: true });
  }

  async holds(topic: string, partition: number, lease: string): Promise<boolean> {
    const entries = await listOrEmpty(this.#fs(), partitionLeasesDir(this.#root, topic, partition));
    return newestClaim(entries) === Number(lease) && entries.some((e) => e.type === 'directory' && e.name === lease);
  }

  async release(topic: string, partition: number, lease: string): Promise<void> {
    await this.#fence(this.#fs(), partitionLeasesDir(this.#root, topic, partition), lease);
  }

  /**
   * Takes a lease's directory away atomically, then leaves a file of the lease's name in its
   * place (a tombstone): a create under it fails even on a filesystem that makes missing parents
   * (older WebHDFS DataNodes ignore `createparent=false`). A directory made again between the two
   * steps is taken away again. False when there was nothing to take away.
   */
  async #fence(fs: FileSystem, dir: string, lease: string): Promise<boolean> {
    let fenced = false;
    for (let attempt = 0; attempt < 5; attempt++) {
      const grave = joinPath(dir, `fenced-${lease}-${randomBytes(4).toString('hex')}`);
      try {
        await fs.rename(joinPath(dir, lease), grave);
        fenced = true;
        await fs.delete(grave, { recursive: true });
      } catch (error) {
        if (!hasCode(error, HdfsErrorCodes.NOT_FOUND)) throw error;
      }
      try {
        await fs.create(joinPath(dir, lease), Buffer.alloc(0));
        return fenced;
      } catch (error) {
        if (!hasCode(error, HdfsErrorCodes.ALREADY_EXISTS)) throw error;
        // A tombstone already (fenced before), or a directory made again: look which.
        if (!(await listOrEmpty(fs, dir)).some((e) => e.name === lease && e.type === 'directory')) return fenced;
      }
    }
    throw hdfsError(HdfsErrorCodes.UNAVAILABLE, `could not fence lease ${lease} under ${dir}: its directory kept being made again`, { retriable: true });
  }

  /**
   * The first offset the output lacks from the group's committed offset on, by a scan that
   * began after this call (so after the fence). Without a committed offset it is undefined: the
   * partition starts by the spout's first-poll strategy, and the sink skips what it holds
   * (starting past the lowest committed run would skip offsets below it never committed).
   */
  async #startOffset(topic: string, partition: number, position: PartitionPosition): Promise<number | undefined> {
    if (position.committedOffset === undefined) return undefined;
    const from = Number(position.committedOffset);
    if (this.#options.resumeFrom === 'group') return from;
    const ranges = (await this.#scanFromNow()).committed.get(sourceKey(topic, partition));
    return ranges === undefined ? from : ranges.nextMissing(from);
  }

  /**
   * A scan that starts after this call. Acquisitions that arrive while one runs share the next
   * one: a rebalance of many partitions costs a few scans, not one per partition.
   */
  #scanFromNow(): Promise<OutputScan> {
    if (this.#nextScan !== undefined) return this.#nextScan;
    if (this.#runningScan === undefined) return this.#startScan();
    const next = this.#runningScan.then(
      () => undefined,
      () => undefined,
    ).then(() => {
      this.#nextScan = undefined;
      return this.#startScan();
    });
    this.#nextScan = next;
    return next;
  }

  #startScan(): Promise<OutputScan> {
    const scan = scanOutput(this.#fs(), this.#root, this.#options);
    this.#runningScan = scan;
    const clear = () => {
      if (this.#runningScan === scan) this.#runningScan = undefined;
    };
    scan.then(clear, clear);
    return scan;
  }
}

/** The highest claimed epoch among a partition's entries; 0 when none. */
function newestClaim(entries: readonly FileStatus[]): number {
  let newest = 0;
  for (const e of entries) {
    const m = e.type === 'file' ? CLAIM.exec(e.name) : null;
    if (m !== null) newest = Math.max(newest, Number(m[1]));
  }
  return newest;
}
