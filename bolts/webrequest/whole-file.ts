/**
 * Writing a file that appears whole under a fixed name: written to `_tmp.<name>`, synced, then
 * renamed over the old one. Writing the same name again (after a crash between the write and
 * the checkpoint that records it) replaces the file instead of adding a second copy. A write that
 * fails removes its temporary file, so nothing half-written outlives the failure.
 */

/** What {@link writeWholeFile} needs of a filesystem (core's `FileSystem` has it). */
export interface WholeFileSystem {
  create(path: string, data: Uint8Array, options?: { readonly overwrite?: boolean }): Promise<void>;
  sync(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  delete(path: string): Promise<boolean>;
}

/** Writes `<dir>/<name>` whole, replacing what was there; resolves once it is durable. */
export async function writeWholeFile(fs: WholeFileSystem, dir: string, name: string, data: Uint8Array): Promise<void> {
  const final = `${dir}/${name}`;
  const temp = `${dir}/_tmp.${name}`;
  try {
    await fs.create(temp, data, { overwrite: true });
    await fs.sync(temp);
    // A rename never replaces: drop the copy an earlier, interrupted write left.
    await fs.delete(final);
    await fs.rename(temp, final);
  } catch (error) {
    await fs.delete(temp).catch(() => false);
    throw error;
  }
}

/** One file per hour under a directory, each written whole under its hour's name (see {@link writeWholeFile}). */
export class HourlyFiles {
  constructor(
    readonly fs: WholeFileSystem,
    readonly dir: string,
    readonly nameOf: (hour: number) => string,
  ) {}

  /** Writes (or rewrites) the file of `hour`; resolves once it is durable. */
  write(hour: number, text: string): Promise<void> {
    return writeWholeFile(this.fs, this.dir, this.nameOf(hour), Buffer.from(text));
  }
}
