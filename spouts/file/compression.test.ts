import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { detectCompression } from './compression.js';
import { FileReadError } from './file-read-error.js';
import { readAll, tempFile } from './file-test-kit.js';

/** 600 generated lines compressed by the zstd command (level 19, with a checksum). */
const ZSTD_FIXTURE = new URL('../../test/fixtures/requests-600.ndjson.zst', import.meta.url).pathname;

async function readError(path: string): Promise<FileReadError> {
  const error = await readAll(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof FileReadError, `expected a FileReadError, got ${String(error)}`);
  return error;
}

const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `{"n":${from + i}}`);
const text = (ls: string[]) => Buffer.from(`${ls.join('\n')}\n`);

test('the compression is told by the first bytes', () => {
  assert.equal(detectCompression(gzipSync('x')), 'gzip');
  assert.equal(detectCompression(readFileSync(ZSTD_FIXTURE)), 'zstd');
  assert.equal(detectCompression(Buffer.from('{"hostname":"cp1"}')), 'none');
  assert.equal(detectCompression(Buffer.alloc(0)), 'none');
  assert.deepEqual(detectCompression(Buffer.from('BZh91AY&SY')), { unsupported: 'bzip2' });
  assert.deepEqual(detectCompression(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])), { unsupported: 'xz' });
});

test('every member of a concatenated gzip file is read, whatever the file is called', async (t) => {
  const path = tempFile(t, Buffer.concat([gzipSync(text(lines(1, 500))), gzipSync(text(lines(501, 1000)))]));
  assert.deepEqual(await readAll(path), lines(1, 1000));
});

test('a zstd file is read, and so are two zstd frames back to back', async (t) => {
  const fixture = readFileSync(ZSTD_FIXTURE);
  const expected = Buffer.from(zstdDecompress(fixture)).toString('utf8').trimEnd().split('\n');
  assert.equal(expected.length, 600);
  assert.deepEqual(await readAll(ZSTD_FIXTURE), expected);
  assert.deepEqual(await readAll(tempFile(t, Buffer.concat([fixture, fixture]))), [...expected, ...expected]);
});

test('a compression Squall does not read is refused by name, as a config error', async (t) => {
  const error = await readError(tempFile(t, Buffer.from('BZh91AY&SY\x00\x01')));
  assert.equal(error.code, 'SQUALL_ERR_INVALID_CONFIG');
  assert.match(error.message, /compressed with bzip2, which Squall does not read: decompress it first/);
});

test('a gzip member whose header is damaged is an error at its byte offset, not the quiet end of the file', async (t) => {
  const first = gzipSync(text(lines(1, 10)));
  const second = gzipSync(text(lines(11, 20)));
  second[0] = 0x00;
  const error = await readError(tempFile(t, Buffer.concat([first, second])));
  assert.equal(error.code, 'SQUALL_ERR_FILE_UNREADABLE');
  assert.equal(error.byteOffset, first.length);
  assert.match(error.message, new RegExp(`corrupt gzip data: ${second.length} bytes after byte ${first.length} are not gzip data`));
});

test('a gzip file cut short, and a zstd one, are errors', async (t) => {
  const gz = gzipSync(text(lines(1, 100)));
  const gzError = await readError(tempFile(t, gz.subarray(0, gz.length - 10)));
  assert.match(gzError.message, /^corrupt gzip data: unexpected end of file$/);
  const zst = readFileSync(ZSTD_FIXTURE);
  const zstError = await readError(tempFile(t, zst.subarray(0, zst.length - 100)));
  assert.match(zstError.message, /^corrupt zstd data: /);
});
