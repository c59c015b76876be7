import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readAll, tempFile } from './file-test-kit.js';

const LINES = ['{"uri_path":"/wiki/Café"}', '', '{"title":"日本語の記事"}', '{"emoji":"🙂🙂🙂"}', 'plain ascii', 'last'];

test('every chunk size gives the same lines, with multi-byte characters cut anywhere', async (t) => {
  const path = tempFile(t, `${LINES.join('\n')}\n`);
  for (const chunkBytes of [1, 2, 3, 5, 7, 16, 1 << 20]) {
    assert.deepEqual(await readAll(path, chunkBytes), LINES, `chunkBytes ${chunkBytes}`);
  }
});

test('a last line without a newline is read at the end of the file', async (t) => {
  const path = tempFile(t, LINES.join('\n'));
  assert.deepEqual(await readAll(path, 4), LINES);
  assert.deepEqual(await readAll(path), LINES);
});

test('a line longer than a chunk is kept whole', async (t) => {
  const long = `{"x":"${'é'.repeat(5000)}"}`;
  const path = tempFile(t, `a\n${long}\nb\n`);
  assert.deepEqual(await readAll(path, 64), ['a', long, 'b']);
});

test('a byte order mark is dropped, only at the start of the file', async (t) => {
  const path = tempFile(t, `\ufeffa\n\ufeffb\n`);
  assert.deepEqual(await readAll(path, 2), ['a', '\ufeffb']);
});

test('invalid UTF-8 becomes U+FFFD instead of failing the read', async (t) => {
  const path = tempFile(t, Buffer.concat([Buffer.from('ok\n'), Buffer.from([0x61, 0xff, 0x62, 0x0a]), Buffer.from('end\n')]));
  assert.deepEqual(await readAll(path, 3), ['ok', 'a\ufffdb', 'end']);
});

test('an empty file has no lines', async (t) => {
  assert.deepEqual(await readAll(tempFile(t, '')), []);
});
