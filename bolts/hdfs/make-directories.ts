/**
 * `mkdir -p` for the local file system, without node's `mkdir(path, { recursive: true })`: that
 * loops forever, at full CPU in libuv's thread pool, when a directory cannot be made although its
 * parent exists (under /proc, say: `-c output=/proc/nope` hung the run at start-up, issue #12).
 * Here each missing parent is made once, and the first refusal is thrown.
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

const codeOf = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code;

/** Makes `dir` itself; true when it is there now, false when its parent is missing. */
async function makeOne(dir: string): Promise<boolean> {
  try {
    await mkdir(dir);
    return true;
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return false;
    if (codeOf(error) !== 'EEXIST') throw error;
    if ((await stat(dir)).isDirectory()) return true;
    throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${dir}'`), { code: 'ENOTDIR', path: dir });
  }
}

/** Makes `path` and the parents it lacks. */
export async function makeDirectories(path: string): Promise<void> {
  const missing: string[] = [];
  let dir = resolve(path);
  while (!(await makeOne(dir))) {
    const parent = dirname(dir);
    if (parent === dir) break;
    missing.push(dir);
    dir = parent;
  }
  // Parents first. A parent that is there now but whose child cannot be made is the error.
  for (const d of missing.reverse()) {
    if (!(await makeOne(d))) throw Object.assign(new Error(`ENOENT: cannot make directory '${d}' although its parent exists`), { code: 'ENOENT', path: d });
  }
}
