import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MetricRegistry } from '../../core/index.js';
import { inputProgress, progressText } from './status-line.js';

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
