/** Helpers for the file source's unit tests: temporary files, reading one whole, a small topology. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Tuple, shuffle, topology } from '../../core/index.js';
import { FnBolt } from '../../test/fixtures/components.js';
import { SOURCE_OUTPUTS } from '../source-record.js';
import type { NdjsonFileSpoutOptions } from './file-spout-options.js';
import { LineReader } from './line-reader.js';
import { NdjsonFileSpout } from './ndjson-file-spout.js';

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

/**
 * file spout → middle bolt → sink, for tests. Returns the topology and what the sink saw: per line
 * number (`seen`, for one file), per `<file name>@<line>` (`seenIn`), the file names in the order
 * their first line came, and the errors stream.
 */
export function pipeline(spout: string | NdjsonFileSpoutOptions, middle: (tuple: Tuple) => void, maxRetries = 3) {
  const options = typeof spout === 'string' ? { path: spout, maxRetries } : spout;
  const seen = new Map<number, number>();
  const seenIn = new Map<string, number>();
  const files: string[] = [];
  const errors: { value: string; reason: string; origin: string }[] = [];
  const sink = (tuple: Tuple) => {
    const line = tuple.get<number>('line');
    const file = tuple.get<string>('topic').replace(/#[0-9a-f]{16}$/, '');
    if (!files.includes(file)) files.push(file);
    seen.set(line, (seen.get(line) ?? 0) + 1);
    seenIn.set(`${file}@${line}`, (seenIn.get(`${file}@${line}`) ?? 0) + 1);
  };
  const definition = topology('file-pipeline', { maxSpoutPending: 64 })
    .spout('file', { create: () => new NdjsonFileSpout(options), outputs: SOURCE_OUTPUTS })
    .bolt('middle', {
      create: () => new FnBolt((tuple, collector) => (middle(tuple), collector.emit([tuple.get('topic'), tuple.get('offset'), tuple.get('value')]))),
      inputs: [{ from: 'file', grouping: shuffle() }],
      outputs: { default: ['topic', 'line', 'value'] },
    })
    .bolt('sink', { create: () => new FnBolt(sink), inputs: [{ from: 'middle', grouping: shuffle() }] })
    .bolt('errors', {
      create: () => new FnBolt((tuple) => void errors.push({ value: tuple.get('value'), reason: tuple.get('reason'), origin: tuple.get('origin') })),
      inputs: [{ from: 'file', stream: 'errors', grouping: shuffle() }],
    })
    .build();
  return { definition, seen, seenIn, files, errors };
}
