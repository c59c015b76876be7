/**
 * A small RAM filesystem of a chosen size (tmpfs), for tests of a full disk: mounted as root, as
 * CI runs, grown with a remount, and unmounted by the test's `after`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** True when this process may mount filesystems (root). */
export function canMount(): boolean {
  return process.getuid?.() === 0;
}

/** A mounted tmpfs: its directory, a way to resize it, and its unmount. */
export interface Tmpfs {
  readonly dir: string;
  /** Sets the size (`4m`, `128m`) of the mounted filesystem; what is on it stays. */
  resize(size: string): void;
  /** Unmounts and removes the directory. Safe to call twice. */
  unmount(): void;
}

/** Mounts a tmpfs of `size` on a fresh directory; read-only with `readOnly`. */
export function mountTmpfs(size: string, options: { readOnly?: boolean } = {}): Tmpfs {
  const dir = mkdtempSync(join(tmpdir(), 'squall-tmpfs-'));
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}${options.readOnly ? ',ro' : ''}`, 'tmpfs', dir]);
  let mounted = true;
  return {
    dir,
    resize: (to) => execFileSync('mount', ['-o', `remount,size=${to}`, dir]),
    unmount: () => {
      if (mounted) execFileSync('umount', [dir]);
      mounted = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
