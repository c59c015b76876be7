/**
 * Reading back what is committed under a sink's root, by listing it: committed files (whose
 * names carry their topic, partition and offset range), offset manifests, in-progress files and
 * `_SUCCESS` flags. The sink does this on `prepare`; a Kafka spout does it through
 * {@link committedOffsets} to start past what is already written.
 */
import { type Logger, nullLogger } from '../../core/index.js';
import { HdfsErrorCodes, hasCode, hdfsError } from './errors.js';
import { type FileNameFormat, OffsetRangeFileNameFormat } from './file-name-format.js';
import type { FileStatus, FileSystem } from './file-system.js';
import { OffsetRanges } from './offset-ranges.js';
import { HourlyPartitioner, type Partition, type Partitioner } from './partitioner.js';

/** The file flagging a partition directory as complete. */
export const SUCCESS_FLAG = '_SUCCESS';

/** The key of a source partition in maps: `<topic>/<partition>`. */
export function sourceKey(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

/** The content of an offsets manifest. */
export interface OffsetManifest {
  readonly topic: string;
  readonly partition: number;
  readonly ranges: ReadonlyArray<readonly [number, number]>;
}

/** What a scan found. */
export interface OutputScan {
  /** Committed offsets per source partition (key from {@link sourceKey}). */
  readonly committed: Map<string, OffsetRanges>;
  /** Committed files found. */
  readonly files: number;
  /** Partition directories holding committed files but no `_SUCCESS` flag. */
  readonly unflagged: Partition[];
  /** In-progress files, whoever owns them. */
  readonly temporary: FileStatus[];
  /** Manifests whose data file is missing (a commit that stopped half way). */
  readonly orphanManifests: string[];
}

/** How to read the output tree; the defaults match the sink's. */
export interface ScanOptions {
  /** @default new HourlyPartitioner() */
  readonly partitioner?: Partitioner;
  /** @default new OffsetRangeFileNameFormat() */
  readonly fileNames?: FileNameFormat;
  /** Directory listings in flight at once. @default 8 */
  readonly concurrency?: number;
  readonly logger?: Logger;
}

const MAX_DEPTH = 8;

/** A directory's entries; none when it does not exist. */
export async function listOrEmpty(fs: FileSystem, dir: string): Promise<FileStatus[]> {
  try {
    return await fs.list(dir);
  } catch (error) {
    if (hasCode(error, HdfsErrorCodes.NOT_FOUND)) return [];
    throw error;
  }
}

async function readManifest(fs: FileSystem, path: string): Promise<OffsetManifest | undefined> {
  try {
    const m = JSON.parse((await fs.read(path)).toString('utf8')) as OffsetManifest;
    const ok = Array.isArray(m.ranges) && m.ranges.every((r) => Array.isArray(r) && Number.isSafeInteger(r[0]) && Number.isSafeInteger(r[1]) && r[0] <= r[1]);
    return ok ? m : undefined;
  } catch (error) {
    if (hasCode(error, HdfsErrorCodes.NOT_FOUND)) return undefined;
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/** Runs `fn` over `items`, `limit` at a time. */
async function eachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Lists the output under `root` and gathers what is committed. */
export async function scanOutput(fs: FileSystem, root: string, options: ScanOptions = {}): Promise<OutputScan> {
  const partitioner = options.partitioner ?? new HourlyPartitioner();
  const names = options.fileNames ?? new OffsetRangeFileNameFormat();
  const logger = options.logger ?? nullLogger;
  const concurrency = options.concurrency ?? 8;
  const scan: { -readonly [K in keyof OutputScan]: OutputScan[K] } = { committed: new Map(), files: 0, unflagged: [], temporary: [], orphanManifests: [] };
  const base = root.endsWith('/') ? root.slice(0, -1) : root;

  const visitPartition = async (partition: Partition, entries: FileStatus[]) => {
    const byName = new Map(entries.map((e) => [e.name, e]));
    let committedHere = 0;
    for (const e of entries) {
      if (e.type !== 'file') continue;
      if (names.temporaryOwner(e.name) !== undefined) {
        scan.temporary.push(e);
        continue;
      }
      const manifestOf = names.parseManifest(e.name);
      if (manifestOf !== undefined) {
        if (!byName.has(manifestOf)) scan.orphanManifests.push(e.path);
        continue;
      }
      const source = names.parseCommitted(e.name);
      if (source === undefined) continue;
      committedHere++;
      const key = sourceKey(source.topic, source.partition);
      let ranges = scan.committed.get(key);
      if (ranges === undefined) scan.committed.set(key, (ranges = new OffsetRanges()));
      const manifestName = names.manifest(e.name);
      if (!byName.has(manifestName)) {
        ranges.addRange(source.firstOffset, source.lastOffset);
        continue;
      }
      const manifest = await readManifest(fs, `${e.path.slice(0, -e.name.length)}${manifestName}`);
      if (manifest === undefined) {
        // Only the two ends are certain; anything between will be replayed, not lost.
        logger.warn('unreadable offsets manifest; counting only the ends of the file as committed', { file: e.path });
        ranges.add(source.firstOffset);
        ranges.add(source.lastOffset);
      } else {
        for (const [a, b] of manifest.ranges) ranges.addRange(a, b);
      }
    }
    scan.files += committedHere;
    if (committedHere > 0 && !byName.has(SUCCESS_FLAG)) scan.unflagged.push(partition);
  };

  const visit = async (dir: string, rel: string, depth: number): Promise<void> => {
    const entries = await listOrEmpty(fs, dir);
    const partition = rel === '' ? undefined : partitioner.parse(rel);
    if (partition !== undefined) return visitPartition(partition, entries);
    if (depth >= MAX_DEPTH) return;
    const subdirs = entries.filter((e) => e.type === 'directory' && !e.name.startsWith('_') && !e.name.startsWith('.'));
    await eachLimit(subdirs, concurrency, (e) => visit(`${dir}/${e.name}`, rel === '' ? e.name : `${rel}/${e.name}`, depth + 1));
  };

  try {
    await visit(base === '' ? '/' : base, '', 0);
  } catch (error) {
    throw hdfsError(HdfsErrorCodes.RECOVERY_FAILED, `could not read the committed output under ${root} on ${fs.description}: ${(error as Error).message}`, {
      cause: error,
      retriable: (error as { retriable?: boolean }).retriable === true,
    });
  }
  return scan;
}

/** Options of {@link committedOffsets}. */
export interface CommittedOffsetsOptions extends ScanOptions {
  /**
   * Per source partition, an offset below which everything is known to be done, such as the
   * consumer group's committed offset. With it the answer is exact; see {@link committedOffsets}.
   */
  readonly from?: ReadonlyMap<string, number>;
}

/**
 * Where a spout should start each source partition so it skips what the sink has committed:
 * `Map<'<topic>/<partition>', nextOffset>`.
 *
 * For a partition with a `from` offset (the consumer group's committed offset, below which
 * every record was acked), the answer is the first offset at or after `from` that is not
 * committed: always safe. Without one it is the end of the lowest committed run plus one, which
 * is safe as long as the sink's first file of that partition started at the first offset the
 * spout ever read. Either way the sink also skips any committed offset it is sent, so a seek
 * that is too early costs a replay, never a duplicate.
 *
 * @example
 * ```ts
 * const next = await committedOffsets(fs, '/wmf/data/raw/webrequest', { from: groupOffsets });
 * consumer.seek({ topic, partition, offset: String(next.get(`${topic}/${partition}`) ?? groupOffset) });
 * ```
 */
export async function committedOffsets(fs: FileSystem, root: string, options: CommittedOffsetsOptions = {}): Promise<Map<string, number>> {
  const scan = await scanOutput(fs, root, options);
  const out = new Map<string, number>();
  for (const [key, ranges] of scan.committed) {
    const from = options.from?.get(key);
    out.set(key, ranges.nextMissing(from ?? ranges.min!));
  }
  for (const [key, from] of options.from ?? []) if (!out.has(key)) out.set(key, from);
  return out;
}

/**
 * A source's start-offset hook (the Kafka spout's `startOffsets`): each partition starts after
 * what the sink at `root` has committed, measured from the consumer group's committed offset,
 * so a restarted topology does not even read again what is already in the output.
 */
export function resumeAfterCommitted(fs: () => FileSystem, root: string) {
  return async (topic: string, partition: number, position: { readonly committedOffset: string | undefined }): Promise<string | undefined> => {
    const key = sourceKey(topic, partition);
    const from = new Map(position.committedOffset === undefined ? [] : [[key, Number(position.committedOffset)]]);
    const next = (await committedOffsets(fs(), root, { from })).get(key);
    return next === undefined ? undefined : String(next);
  };
}
