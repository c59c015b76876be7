/** Helpers for the file source's unit tests: temporary files, and reading one whole. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineReader } from './line-reader.js';

/** Writes `content` to `name` in a temporary directory removed after the test; returns its path. */
export function tempFile(t: { after(fn: () => void): void }, content: string | Buffer, name = 'input.ndjson'): string {
  const path = join(tempDir(t), name);
  writeFileSync(path, content);
  return path;
}

/** A temporary directory removed after the test. */
export function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'squall-file-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Every line of a file, plain or compressed, read `chunkBytes` at a time. */
export async function readAll(path: string, chunkBytes?: number): Promise<string[]> {
  const reader = await LineReader.open(path, chunkBytes);
  const lines: string[] = [];
  try {
    while (!reader.eof) lines.push(...(await reader.readLines()));
  } finally {
    await reader.close();
  }
  return lines;
}
