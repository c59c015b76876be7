/**
 * Issue #15, "counts agree": test/fixtures/topologies/counted.ts over a known input (N lines of
 * NDJSON) into HDFS, whose `flaky` bolt fails the first try of every 20th line. The metrics must
 * say exactly what happened: the spout's acked counter equals the input count, the sink's
 * committed-record count equals the lines HDFS holds, and `flaky` shows N/20 failures with reason
 * `error` (as does the spout). In local mode, from the registry; in cluster mode across two
 * workers, from the workers' `/metrics` (fetched as curl would) and from Nimbus's REST API, which
 * aggregates the heartbeats. The workers' `/metrics` also show every family that
 * docs/reference/metrics.md lists for what this topology runs, and no IP address.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type FileSystem, taskSnapshot } from '../../core/index.js';
import { WebHdfsFileSystem } from '../../bolts/hdfs/index.js';
import { LocalCluster } from '../../nimbus/local/local-cluster.js';
import counted, { FAIL_EVERY } from '../fixtures/topologies/counted.js';
import { TestCluster } from '../support/cluster.js';
import { REPO_ROOT, ensureInfra, repoTempDir, uniqueHdfsPath, waitFor } from '../support/index.js';

const N = 2000;
let hdfsUrl: string;
let fs: FileSystem;
let input: string;

before(async () => {
  const infra = await ensureInfra();
  hdfsUrl = `http://${infra.hdfs.host}:${infra.hdfs.webhdfsPort}`;
  fs = new WebHdfsFileSystem({ url: hdfsUrl, user: 'squall' });
  input = join(repoTempDir('metrics-counts'), 'input.ndjson');
  const dt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  writeFileSync(input, Array.from({ length: N }, (_, i) => JSON.stringify({ dt, i, text: `line ${i}` })).join('\n') + '\n');
});

after(async () => {
  await fs?.close();
});

/** Lines in the committed files under `root` (not `_tmp.` files, not `_` directories). */
async function linesIn(root: string): Promise<number> {
  let lines = 0;
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await fs.list(dir)) {
      if (entry.name.startsWith('_') || entry.name.startsWith('.')) continue;
      if (entry.type === 'directory') await walk(entry.path);
      else if (/^part-.*\.ndjson$/.test(entry.name)) lines += (await fs.read(entry.path)).toString('utf8').split('\n').filter((l) => l !== '').length;
    }
  };
  await walk(root);
  return lines;
}

/** Sums the samples of `family` in Prometheus text whose labels include `labels`. */
function sumOf(text: string, family: string, labels: Record<string, string> = {}): number {
  let n = 0;
  for (const line of text.split('\n')) {
    const m = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null || m[1] !== family) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) n += Number(m[3]);
  }
  return n;
}

/** The families the docs list in the sections that apply to this topology (engine, transport, HDFS sink, file spout). */
function documentedFamilies(): string[] {
  const doc = readFileSync(join(REPO_ROOT, 'docs/reference/metrics.md'), 'utf8');
  const sections = doc.split(/^## /m).filter((s) => /^(Engine|Transport|HDFS sink|File spout)/.test(s));
  return sections.flatMap((s) => s.split('\n').filter((l) => l.startsWith('| `squall_')).flatMap((l) => [...l.split(' | ')[0]!.matchAll(/`(squall_\w+)`/g)].map((m) => m[1]!)));
}

test('local mode: acked equals the input, committed equals what HDFS holds, 5% failed with reason error', { timeout: 180_000 }, async () => {
  const output = uniqueHdfsPath('metrics-counts-local');
  const cluster = new LocalCluster();
  const runtime = await cluster.submit(counted.make({ input, output, hdfs: hdfsUrl }));
  await runtime.completion;
  await runtime.stop();
  const tasks = taskSnapshot(cluster.metrics, 'counted');
  const sum = (component: string, f: (t: (typeof tasks)[number]) => number) => tasks.filter((t) => t.component === component).reduce((n, t) => n + f(t), 0);
  assert.equal(sum('lines', (t) => t.acked), N);
  assert.equal(sum('lines', (t) => t.failed.error ?? 0), N / FAIL_EVERY);
  assert.equal(sum('flaky', (t) => t.failed.error ?? 0), N / FAIL_EVERY);
  assert.equal(sum('flaky', (t) => t.failed.explicit ?? 0), 0);
  assert.equal(sum('flaky', (t) => t.executed), N + N / FAIL_EVERY);
  let committed = 0;
  for (const f of cluster.metrics.families()) if (f.name === 'squall_hdfs_sink_records_committed_total') for (const s of f.series.values()) committed += (s.metric as { value: number }).value;
  assert.equal(committed, N);
  assert.equal(await linesIn(output), committed);
});

test('cluster mode on 2 workers: the workers /metrics and the REST API agree with the input and with HDFS', { timeout: 300_000 }, async () => {
  const output = uniqueHdfsPath('metrics-counts-cluster');
  const cluster = new TestCluster({ label: 'metrics-counts', supervisors: 2, slots: 1 });
  try {
    await cluster.start();
    const submitted = await cluster.cli(['submit', 'test/fixtures/topologies/counted.ts', '--workers', '2', '--wait', '90', '-c', `input=${input}`, '-c', `output=${output}`, '-c', `hdfs=${hdfsUrl}`]);
    assert.equal(submitted.code, 0, submitted.stderr);
    type Row = { spoutId?: string; boltId?: string; acked: number; failedByReason: Record<string, number> };
    type Page = { workers: { metrics: string | null; running: boolean }[]; spouts: Row[]; bolts: Row[] };
    // Nimbus's totals, from the heartbeats, reach the input count.
    const page = await waitFor(async () => {
      const p = await cluster.json<Page>(['status', 'counted']);
      return p.spouts[0]?.acked === N && p.workers.every((w) => w.metrics !== null) ? p : undefined;
    }, { timeoutMs: 120_000, intervalMs: 500, message: 'the spout acked every line' });
    assert.equal(page.workers.length, 2);
    assert.equal(page.spouts[0]!.failedByReason.error, N / FAIL_EVERY);
    assert.equal(page.bolts.find((b) => b.boltId === 'flaky')!.failedByReason.error, N / FAIL_EVERY);

    const texts = await Promise.all(page.workers.map(async (w) => (await fetch(w.metrics!)).text()));
    const total = (family: string, labels: Record<string, string> = {}) => texts.reduce((n, t) => n + sumOf(t, family, labels), 0);
    assert.equal(total('squall_spout_acked_total', { component: 'lines' }), N);
    assert.equal(total('squall_failed_total', { component: 'flaky', reason: 'error' }), N / FAIL_EVERY);
    assert.equal(total('squall_spout_failed_total', { component: 'lines', reason: 'error' }), N / FAIL_EVERY);
    const committed = total('squall_hdfs_sink_records_committed_total');
    assert.equal(committed, N);
    assert.equal(await linesIn(output), committed);
    // Tuples crossed between the two workers.
    assert.ok(total('squall_transport_sent_bytes_total') > 0);

    const missing = documentedFamilies().filter((family) => !texts.some((t) => new RegExp(`^# TYPE ${family} `, 'm').test(t)));
    assert.deepEqual(missing, [], 'every documented family of the engine, transport, HDFS sink and file spout is on /metrics');
    for (const family of ['squall_process_cpu_seconds_total', 'squall_nodejs_eventloop_lag_seconds']) assert.ok(texts.every((t) => t.includes(`# TYPE ${family} `)), family);
    for (const t of texts) {
      assert.match(t, /worker="sup-[ab]:\d+"/);
      assert.doesNotMatch(t, /\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/, 'no IPv4 address on /metrics');
      assert.doesNotMatch(t, /\b[0-9a-f]{1,4}(:[0-9a-f]{1,4}){7}\b|::1\b/i, 'no IPv6 address on /metrics');
    }
    await cluster.cli(['kill', 'counted', '--wait', '0']);
  } finally {
    await cluster.stop();
  }
});
