/**
 * What a sink task reads back from its output: on `prepare`, everything committed (and its own
 * leftover temporary files, which it removes); on a new lease, one source's committed offsets.
 */
import type { Logger } from '../../core/index.js';
import type { FileSystem } from './file-system.js';
import { OffsetRanges } from './offset-ranges.js';
import { scanOutput } from './output-scan.js';
import type { Partition } from './partitioner.js';
import type { CompiledSinkOptions } from './sink-options.js';

/** What `prepare` found. */
export interface RecoveredOutput {
  readonly committed: Map<string, OffsetRanges>;
  /** Manifests of commits that stopped half way: replaced or removed before a file of that name commits. */
  readonly orphanManifests: readonly string[];
  /** Hours with committed files and no `_SUCCESS` flag yet. */
  readonly unflagged: readonly Partition[];
}

type ScanSettings = Pick<CompiledSinkOptions, 'root' | 'partitioner' | 'fileNames'>;

/**
 * Reads back what is committed under the root and removes leftover temporary files in hour
 * directories that are this task's (`owner`), or a task index the component no longer has.
 * Leased files are not there: their lease's next owner fences them.
 */
export async function recoverOutput(fs: FileSystem, o: ScanSettings, owner: string, componentTasks: number, logger: Logger): Promise<RecoveredOutput> {
  const scan = await scanOutput(fs, o.root, { partitioner: o.partitioner, fileNames: o.fileNames, logger });
  const component = owner.slice(0, owner.lastIndexOf('-') + 1);
  let removed = 0;
  for (const t of scan.temporary) {
    const tag = o.fileNames.temporaryOwner(t.name)!;
    const index = tag.startsWith(component) ? Number(tag.slice(component.length)) : NaN;
    if (tag !== owner && !(Number.isInteger(index) && index >= componentTasks)) continue;
    await fs.delete(t.path);
    removed++;
  }
  logger.info('recovered committed output', { root: o.root, files: scan.files, sources: scan.committed.size, temporaryRemoved: removed, unflagged: scan.unflagged.length });
  return { committed: scan.committed, orphanManifests: scan.orphanManifests, unflagged: scan.unflagged };
}

/** The committed offsets of one source, read afresh. */
export async function committedOfSource(fs: FileSystem, o: ScanSettings, key: string, logger: Logger): Promise<OffsetRanges> {
  const scan = await scanOutput(fs, o.root, { partitioner: o.partitioner, fileNames: o.fileNames, logger });
  return scan.committed.get(key) ?? new OffsetRanges();
}
