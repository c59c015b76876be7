/**
 * `nimbus monitor` in a real terminal: tmux (on a socket of its own) runs it in an 80x24 pane
 * against a `nimbus local --ui` run of word count; the test reads the pane until it shows a
 * refreshed screen (frame #2 or later) with every component and a non-zero rate on each, then
 * presses q and sees the monitor exit 0.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT, repoTempDir } from '../support/nimbus.js';
import { startLocalUi } from '../support/local-ui.js';
import { waitFor } from '../support/wait.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const COMPONENTS = ['sentences', 'split', 'count', 'report'];

test('nimbus monitor redraws in place with every component and its rate, and quits on q', { skip: hasTmux ? false : 'tmux is not installed', timeout: 180_000 }, async () => {
  const local = await startLocalUi('examples/word-count.ts', ['-c', 'sentences=100000000', '-c', 'maxSpoutPending=50', '-d', '150']);
  const socket = `squall-monitor-${process.pid}`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  const exitFile = join(repoTempDir('monitor'), 'exit');
  try {
    tmux('new-session', '-d', '-x', '80', '-y', '24', `${process.execPath} ${join(REPO_ROOT, 'bin/nimbus.mjs')} monitor word-count --nimbus ${local.address} --interval 0.5; echo $? > ${exitFile}; sleep 30`);
    const screen = await waitFor(() => {
      const pane = tmux('capture-pane', '-p');
      const frame = Number(/#(\d+) \d\d:\d\d:\d\d/.exec(pane)?.[1] ?? 0);
      const rates = COMPONENTS.map((c) => new RegExp(`^${c}\\s+([\\d.]+)(k|M)?\\s`, 'm').exec(pane));
      return frame >= 2 && rates.every((m) => m !== null && Number(m[1]) > 0) ? pane : undefined;
    }, { timeoutMs: 90_000, intervalMs: 250, message: 'a refreshed monitor screen with a rate on every component' });
    assert.match(screen, /word-count · ACTIVE/);
    assert.ok(screen.split('\n').every((l) => l.length <= 80), 'fits 80 columns');
    tmux('send-keys', 'q');
    const code = await waitFor(() => {
      try {
        return readFileSync(exitFile, 'utf8').trim();
      } catch {
        return undefined;
      }
    }, { timeoutMs: 30_000, intervalMs: 100, message: 'the monitor to quit on q' });
    assert.equal(code, '0');
  } finally {
    spawnSync('tmux', ['-L', socket, 'kill-server']);
    await local.stop();
  }
});
