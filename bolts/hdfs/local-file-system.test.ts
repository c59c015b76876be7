import assert from 'node:assert/strict';
import { type FileHandle, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, test } from 'node:test';
import { SquallError } from '../../core/index.js';
import { HdfsErrorCodes } from './errors.js';
import { LocalFileStream, LocalFileSystem } from './local-file-system.js';

describe('LocalFileSystem', () => {
  let dir: string;
  const fs = new LocalFileSystem();
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'squall-localfs-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const code = (error: unknown) => (error instanceof SquallError ? error.code : String(error));

  it('creates with parents, appends, syncs, reads and lists', async () => {
    const path = join(dir, 'a/b/file.txt');
    await fs.create(path, Buffer.from('hello '));
    await fs.append(path, Buffer.from('world'));
    await fs.sync(path);
    assert.equal((await fs.read(path)).toString(), 'hello world');
    const listing = await fs.list(join(dir, 'a/b'));
    assert.deepEqual(
      listing.map((s) => [s.name, s.type, s.length]),
      [['file.txt', 'file', 11]],
    );
    assert.equal(await fs.exists(path), true);
  });

  it('refuses a directory that cannot be made under an existing parent (/proc) instead of looping, and one under a file', { skip: process.platform !== 'linux', timeout: 10_000 }, async () => {
    // node's recursive mkdir spins forever here; the run hung at start-up with -c output=/proc/nope.
    await assert.rejects(fs.create('/proc/squall-nope/a/file', Buffer.from('x')), (e: unknown) => code(e) === HdfsErrorCodes.NOT_FOUND && /\/proc\/squall-nope/.test((e as Error).message));
    await assert.rejects(fs.mkdirs('/proc/squall-nope'), (e: unknown) => code(e) === HdfsErrorCodes.NOT_FOUND);
    const file = join(dir, 'plain-file');
    await fs.create(file, Buffer.from('x'));
    await assert.rejects(fs.mkdirs(join(file, 'sub/dir')), (e: unknown) => code(e) === HdfsErrorCodes.REJECTED && /ENOTDIR/.test((e as Error).message));
    await fs.mkdirs(join(dir, 'm/n/o'));
    await fs.mkdirs(join(dir, 'm/n/o'));
    assert.deepEqual((await fs.list(join(dir, 'm/n'))).map((s) => [s.name, s.type]), [['o', 'directory']]);
  });

  it('never replaces on rename, and reports missing paths with stable codes', async () => {
    const a = join(dir, 'r/a');
    const b = join(dir, 'r/b');
    await fs.create(a, Buffer.from('a'));
    await fs.create(b, Buffer.from('b'));
    await assert.rejects(fs.rename(a, b), (e) => code(e) === HdfsErrorCodes.ALREADY_EXISTS);
    assert.equal((await fs.read(b)).toString(), 'b');
    await assert.rejects(fs.rename(join(dir, 'r/none'), join(dir, 'r/c')), (e) => code(e) === HdfsErrorCodes.NOT_FOUND);
    await assert.rejects(fs.create(a, Buffer.from('x')), (e) => code(e) === HdfsErrorCodes.ALREADY_EXISTS);
    await fs.create(a, Buffer.from('x'), { overwrite: true });
    await assert.rejects(fs.append(join(dir, 'r/none'), Buffer.from('x')), (e) => code(e) === HdfsErrorCodes.NOT_FOUND);
    await assert.rejects(fs.list(join(dir, 'nope')), (e) => code(e) === HdfsErrorCodes.NOT_FOUND);
    await fs.delete(b);
    await fs.rename(a, b);
    assert.equal(await fs.exists(a), false);
    assert.equal((await fs.read(b)).toString(), 'x');
  });

  it('deletes recursively, and fails every call once closed', async () => {
    await fs.mkdirs(join(dir, 'd/e/f'));
    assert.equal(await fs.delete(join(dir, 'd'), { recursive: true }), true);
    assert.equal(await fs.delete(join(dir, 'd')), false);
    const closed = new LocalFileSystem();
    await closed.close();
    await closed.close();
    await assert.rejects(closed.exists(dir), (e) => code(e) === HdfsErrorCodes.CLOSED);
  });
});

test('a stream write that the disk takes only in part writes the rest, not a cut file', async () => {
  const taken: number[] = [];
  // A disk about to fill: each write(2) takes at most 3 bytes.
  const handle = {
    write: (data: Uint8Array, offset = 0, length = data.length) => {
      const n = Math.min(3, length);
      taken.push(...data.subarray(offset, offset + n));
      return Promise.resolve({ bytesWritten: n, buffer: data });
    },
    sync: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  const stream = new LocalFileStream(handle as unknown as FileHandle, '/short-writes');
  const data = Uint8Array.from({ length: 10 }, (_, i) => i + 1);
  await stream.write(data);
  assert.deepEqual(taken, [...data]);
});
