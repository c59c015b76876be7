/**
 * What `-c input=` names, and the files it holds: one file, a directory (its files, not its
 * subdirectories), or a glob whose wildcards (`*`, `?`, `[...]`) are in its last part, such as
 * `logs/webrequest-*.gz`. Files are listed in name order, which is time order for rotated logs;
 * names starting with `.` are skipped. A path that cannot be used, or a file in a compression
 * Squall does not read, is a config error naming it.
 */
import type { Stats } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ErrorCodes, SquallError } from '../../core/index.js';
import { MAGIC_BYTES, detectCompression } from './compression.js';

/** A file to read: its path, its name relative to the input's root, and its size when listed. */
export interface InputFile {
  readonly path: string;
  readonly name: string;
  readonly size: number;
}

/** A resolved input: the directory its files are in, and which names in it are inputs. */
export interface InputRoot {
  readonly root: string;
  /** True when the input names one file: listing it again finds nothing new. */
  readonly single: boolean;
  matches(name: string): boolean;
}

const WILDCARD = /[*?[]/;

function configError(message: string, cause?: unknown): SquallError {
  return new SquallError(ErrorCodes.INVALID_CONFIG, message, { cause });
}

function why(error: unknown, path: string, what: string): SquallError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return configError(`input ${what} '${path}' does not exist: check the path (-c input=<file, directory or glob>, or - for stdin)`, error);
  if (code === 'ENOTDIR') return configError(`input ${what} '${path}': a part of the path is a file, not a directory`, error);
  if (code === 'EACCES' || code === 'EPERM') return configError(`input ${what} '${path}' cannot be read (permission denied): grant read access to the user running Squall`, error);
  return configError(`input ${what} '${path}' cannot be read: ${(error as Error).message}`, error);
}

/** A glob's last part as a RegExp: `*` any run of characters, `?` one, `[...]` a class. */
function globRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) throw configError(`input glob '${pattern}' has a '[' without its ']'`);
      const body = pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
      source += `[${body}]`;
      i = end;
    } else source += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'u');
}

async function statOf(path: string, what: string): Promise<Stats> {
  try {
    return await stat(path);
  } catch (error) {
    throw why(error, path, what);
  }
}

/** Checks that `input` (not `-`) names something readable, and what it holds. */
export async function resolveInput(input: string): Promise<InputRoot> {
  const last = basename(input);
  if (WILDCARD.test(last)) {
    const dir = dirname(input);
    if (WILDCARD.test(dir)) throw configError(`input glob '${input}': wildcards are read in the last part of the path only, such as logs/*.gz`);
    const matches = globRegExp(last);
    if (!(await statOf(dir, 'directory')).isDirectory()) throw configError(`input glob '${input}': '${dir}' is a file, not a directory`);
    return { root: resolve(dir), single: false, matches: (name) => matches.test(name) };
  }
  const stats = await statOf(input, 'path');
  if (stats.isDirectory()) return { root: resolve(input), single: false, matches: () => true };
  if (!stats.isFile()) throw configError(`input '${input}' is neither a file nor a directory: name a file, a directory or a glob (or - for stdin)`);
  return { root: resolve(dirname(input)), single: true, matches: (name) => name === last };
}

/** The input files in `root` now, in name order. `known` files are not stat'ed again. */
export async function listInputFiles(input: InputRoot, known: ReadonlySet<string> = new Set()): Promise<InputFile[]> {
  let names: string[];
  try {
    names = (await readdir(input.root)).filter((name) => !name.startsWith('.') && input.matches(name) && !known.has(name));
  } catch (error) {
    throw why(error, input.root, 'directory');
  }
  const files: InputFile[] = [];
  for (const name of names.sort()) {
    const path = join(input.root, name);
    try {
      const stats = await stat(path);
      if (stats.isFile()) files.push({ path, name, size: stats.size });
    } catch (error) {
      // Gone between the listing and now (rotated away): not an input any more.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw why(error, path, 'file');
    }
  }
  return files;
}

/**
 * Checks at start-up that every listed file can be opened, and is plain or in a compression we
 * read: a `.bz2` file in the directory stops the run before anything is read, naming it.
 */
export async function checkInputFiles(files: readonly InputFile[]): Promise<void> {
  const head = Buffer.alloc(MAGIC_BYTES);
  for (const file of files) {
    let bytesRead: number;
    try {
      const handle = await open(file.path, 'r');
      try {
        ({ bytesRead } = await handle.read(head, 0, MAGIC_BYTES, 0));
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw why(error, file.path, 'file');
    }
    const compression = detectCompression(head.subarray(0, bytesRead));
    if (typeof compression === 'object') {
      throw configError(`input file '${file.path}' is compressed with ${compression.unsupported}, which Squall does not read: decompress it, recompress it with gzip or zstd, or leave it out of the input`);
    }
  }
}
