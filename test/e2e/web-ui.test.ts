/// <reference lib="dom" />
/**
 * The web UI in a real browser: playwright-core drives Debian's Chromium (infra/chromium.sh
 * installs it) against a `nimbus local --ui` run of word count. The topology page's graph shows
 * every component with a non-zero rate; Deactivate (with the token) brings the spout's rate to
 * zero, Activate brings it back; the component page lists its tasks. Screenshots are saved in
 * .state/artifacts/.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { REPO_ROOT } from '../support/nimbus.js';
import { startLocalUi } from '../support/local-ui.js';

const ARTIFACTS = join(REPO_ROOT, '.state/artifacts');

/** The browser's path: infra/chromium.sh installs it when missing (idempotent), and prints it last. */
function chromiumPath(): string {
  const out = execFileSync('bash', [join(REPO_ROOT, 'infra/chromium.sh'), 'up'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const path = out.trim().split('\n').reverse().find((l) => l.startsWith('/'));
  if (path === undefined) throw new Error(`infra/chromium.sh printed no browser path:\n${out}`);
  return path;
}

const COMPONENTS = ['sentences', 'split', 'count', 'report'];

test('the topology page shows every component moving, and deactivate (with the token) stops the spout', { timeout: 300_000 }, async () => {
  const executablePath = chromiumPath();
  mkdirSync(ARTIFACTS, { recursive: true });
  const local = await startLocalUi('examples/word-count.ts', ['-c', 'sentences=100000000', '-c', 'maxSpoutPending=50', '-d', '240']);
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`http://${local.address}/#/`);
    await page.waitForSelector('a[href="#/topology/word-count"]');
    await page.click('a[href="#/topology/word-count"]');
    const rates = () => page.$$eval('g.node', (nodes) => Object.fromEntries(nodes.map((n) => [n.getAttribute('data-component'), Number(n.getAttribute('data-rate'))])));
    await page.waitForFunction((names) => names.every((c) => Number(document.querySelector(`g.node[data-component="${c}"]`)?.getAttribute('data-rate') ?? 0) > 0), COMPONENTS, { timeout: 60_000, polling: 250 });
    const moving = await rates();
    assert.deepEqual(Object.keys(moving).sort(), [...COMPONENTS].sort(), 'the graph has every component');
    for (const c of COMPONENTS) assert.ok(moving[c]! > 0, `${c} has a non-zero rate`);
    // Laid out left to right: the spout left of the first bolt.
    const x = (c: string) => page.$eval(`g.node[data-component="${c}"]`, (n) => n.getBoundingClientRect().x);
    assert.ok((await x('sentences')) < (await x('split')));
    await page.screenshot({ path: join(ARTIFACTS, 'web-ui-topology.png'), fullPage: true });

    // With a wrong token the change is refused, and says why.
    await page.fill('#token', 'not-the-token');
    await page.click('#deactivate');
    await page.waitForFunction(() => /the token is wrong/.test(document.getElementById('message')?.textContent ?? ''), undefined, { timeout: 30_000, polling: 100 });
    assert.equal(await page.textContent('#status'), 'ACTIVE');
    await page.fill('#token', local.token);
    await page.click('#deactivate');
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'INACTIVE', undefined, { timeout: 30_000, polling: 250 });
    await page.waitForFunction(() => Number(document.querySelector('g.node[data-component="sentences"]')?.getAttribute('data-rate')) === 0, undefined, { timeout: 60_000, polling: 250 });
    await page.screenshot({ path: join(ARTIFACTS, 'web-ui-deactivated.png'), fullPage: true });

    await page.click('#activate');
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ACTIVE' && Number(document.querySelector('g.node[data-component="sentences"]')?.getAttribute('data-rate')) > 0, undefined, { timeout: 60_000, polling: 250 });

    await page.click('g.node[data-component="split"] a');
    await page.waitForSelector('#tasks tbody tr');
    assert.equal(await page.$$eval('#tasks tbody tr', (rows) => rows.length), 2, 'split has two tasks');
    await page.waitForSelector('svg.chart polyline', { timeout: 30_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'web-ui-component.png'), fullPage: true });
  } finally {
    await browser.close();
    await local.stop();
  }
});
