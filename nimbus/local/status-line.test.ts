import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MetricRegistry } from '../../core/index.js';
import { StatusLine, inputProgress, progressText } from './status-line.js';

test("a file input's progress: its gauges summed over its tasks, this topology's only", () => {
  const metrics = new MetricRegistry();
  for (const [topology, task, values] of [
    ['wr', '1', [3, 1, 3 * 1024 * 1024, 1024 * 1024]],
    ['wr', '2', [2, 1, 1024, 1024]],
    ['other', '3', [100, 100, 100, 100]],
  ] as const) {
    const m = metrics.group({ topology, component: 'source', task });
    ['input_files', 'input_files_done', 'input_bytes', 'input_bytes_read'].forEach((name, i) => m.gauge(name, name, {}, () => values[i]!));
  }
  const p = inputProgress(metrics, 'wr');
  assert.deepEqual(p, { files: 5, filesDone: 2, bytes: 3 * 1024 * 1024 + 1024, bytesRead: 1024 * 1024 + 1024 });
  assert.equal(progressText(p!), 'files 2/5  read 1.0 MiB of 3.0 MiB');
  assert.equal(inputProgress(metrics, 'no-file-input'), undefined, 'no input gauges, no progress');
});

test('the clock and the first rate start when the topology starts, not when the command did (type-checking takes seconds)', () => {
  const written: string[] = [];
  const stream = { isTTY: false, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
  let now = 0;
  const status = new StatusLine(stream, () => now);
  now = 9_000; // type-checked and started
  status.start();
  now = 10_000;
  const spout = { kind: 'spout' as const, emitted: 1000, executed: 0, acked: 500, failed: 0, pending: 500, queued: 0 };
  status.update({ pending: 500, components: { source: spout } });
  assert.equal(written.join(''), '[00:01] emitted 1,000 (1,000/s)  acked 500 (500/s)  failed 0 (0/s)  in flight 500\n');
});
