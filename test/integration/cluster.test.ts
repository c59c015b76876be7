/**
 * Cluster mode end to end, on the ZooKeeper and HDFS of infra/: two Nimbus daemons and two
 * supervisors as real processes, and the nimbus CLI as users run it: submissions and their
 * refusals, the token, component errors, a worker killed with `kill -9`, changes sent to the
 * standby, kill. Every wait is on what the cluster reports, never on a sleep. (Failover under
 * load is cluster-chaos.test.ts.)
 *
 * @squall-test slow (started first, so the two lanes of `npm test` end together)
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { WebHdfsBundleStore } from '../../worker/index.js';
import { TestCluster } from '../support/cluster.js';
import { ensureInfra } from '../support/infra.js';
import { repoTempDir } from '../support/nimbus.js';
import { waitFor } from '../support/wait.js';

interface Page {
  id: string;
  status: string;
  epoch: number;
  workers: { supervisorId: string; port: number; running: boolean; executors: string[] }[];
  spouts: { spoutId: string; acked: number; failed: number; executors: number }[];
  bolts: { boltId: string; executors: number; executed: number }[];
}

let cluster: TestCluster;
let bundles: WebHdfsBundleStore;

before(async () => {
  const infra = await ensureInfra();
  cluster = new TestCluster({ label: 'cluster', nimbuses: 2, supervisors: 2, slots: 2 });
  bundles = new WebHdfsBundleStore({ url: `http://${infra.hdfs.host}:${infra.hdfs.webhdfsPort}`, dir: cluster.bundleDir });
  await cluster.start();
});

after(async () => {
  await cluster?.stop();
});

const status = (name: string) => cluster.json<Page>(['status', name]);
/** Every worker of the topology runs under its current epoch, and the epoch is at least `epoch`. */
const running = (name: string, epoch = 0) => waitFor(async () => {
  const p = await status(name);
  return p.epoch >= epoch && p.workers.length > 0 && p.workers.every((w) => w.running) ? p : undefined;
}, { timeoutMs: 60_000, intervalMs: 250, message: `${name} running under epoch >= ${epoch}` });
const settled = (p: Page) => p.spouts.reduce((n, s) => n + s.acked + s.failed, 0);

test('submit, refusals, the token, errors, kill -9 of a worker, changes through the standby, rebalance, kill', { timeout: 300_000 }, async () => {
  // A topology file with a type error: refused as file:line, and nothing registered.
  const dir = repoTempDir('cluster-broken');
  const broken = join(dir, 'broken.ts');
  writeFileSync(broken, "import { topology } from '../../core/index.js';\nconst n: number = 'one';\nexport default topology('broken').build();\n");
  const refused = await cluster.cli(['submit', broken]);
  assert.equal(refused.code, 3, refused.stderr);
  assert.match(refused.stderr, /broken\.ts:2:7 - error TS2322/);
  assert.match(refused.stderr, /Nothing was submitted/);

  const submitted = await cluster.cli(['submit', 'test/fixtures/topologies/split.ts', '--workers', '2', '--wait', '90']);
  assert.equal(submitted.code, 0, submitted.stderr);
  assert.match(submitted.stdout, /submitted 'split' as split-\S+ on 2 workers/);
  let page = await status('split');
  const id = page.id;
  assert.equal(new Set(page.workers.map((w) => w.supervisorId)).size, 2, 'the two workers are on two supervisors');
  // Every row of both spout tasks acked or failed ('total' fails the unlucky 13s), across the two workers.
  page = await waitFor(async () => {
    const p = await status('split');
    return settled(p) === 800 ? p : undefined;
  }, { timeoutMs: 60_000, intervalMs: 250, message: 'every row settled' });
  assert.equal(page.spouts[0]!.failed, 8);
  assert.equal(page.bolts.find((b) => b.boltId === 'total')!.executed, 800);

  // A taken name, and more workers than free slots: refused, nothing left behind.
  const taken = await cluster.cli(['submit', 'test/fixtures/topologies/split.ts']);
  assert.equal(taken.code, 7);
  assert.match(taken.stderr, /a topology named 'split' is already running: kill it first/);
  const big = await cluster.cli(['submit', 'test/fixtures/topologies/split.ts', '--name', 'big', '--workers', '5']);
  assert.equal(big.code, 7);
  assert.match(big.stderr, /needs 5 worker slots and 2 are free \(2 supervisors, 4 slots, 2 taken\)/);
  const tooMany = await cluster.cli(['rebalance', 'split', '--workers', '5']);
  assert.equal(tooMany.code, 7);
  assert.match(tooMany.stderr, /cannot be rebalanced: it needs 5 worker slots and 4 are free/);
  assert.equal((await cluster.json<{ workersWanted: number }>(['status', 'split'])).workersWanted, 2, 'a refused rebalance changes nothing');
  const listed = await cluster.json<{ topologies: { name: string }[] }>(['list']);
  assert.deepEqual(listed.topologies.map((t) => t.name), ['split']);
  assert.deepEqual(await bundles.list(), [id]);

  // Changes need the token; a wrong one is not echoed.
  const noToken = await cluster.cli(['kill', 'split'], { token: null });
  assert.equal(noToken.code, 6);
  assert.match(noToken.stderr, /needs the cluster token/);
  const wrong = await cluster.cli(['kill', 'split'], { token: 'not-the-token-42' });
  assert.equal(wrong.code, 6);
  assert.doesNotMatch(wrong.stderr + wrong.stdout, /not-the-token-42/);

  // A bolt that throws shows in nimbus errors with its component, task and worker.
  assert.equal((await cluster.cli(['submit', 'test/fixtures/topologies/throwing.ts', '--wait', '90'])).code, 0);
  const errors = await waitFor(async () => {
    const e = await cluster.json<{ components: Record<string, { component: string; task: number; worker: string; message: string }[]> }>(['errors', 'throwing']);
    return e.components.boom?.length ? e.components.boom : undefined;
  }, { timeoutMs: 30_000, intervalMs: 250, message: 'the error of boom reported' });
  const where = (await status('throwing')).workers[0]!;
  assert.match(errors[0]!.message, /bad row 7/);
  assert.equal(errors[0]!.worker, `${where.supervisorId}:${where.port}`);
  assert.ok(errors[0]!.task > 0);
  const killed = await cluster.cli(['kill', 'throwing']);
  assert.equal(killed.code, 0, killed.stderr);

  // kill -9 of one worker: its supervisor starts it again under the same epoch.
  const epoch = page.epoch;
  const supA = cluster.supervisors.get('sup-a')!;
  const [victim] = cluster.workerPids('sup-a');
  TestCluster.kill(victim);
  await waitFor(() => /exited by SIGKILL[\s\S]*started worker/.test(supA.output), { timeoutMs: 30_000, message: 'sup-a restarted its worker' });
  page = await running('split', epoch);
  assert.equal(page.epoch, epoch, 'a restarted worker keeps its assignment');

  // A standby takes changes too, forwarding them to the leader. (Killing supervisors and the
  // leader is cluster-chaos.test.ts's part.)
  const summary = await fetchJson(cluster, '/nimbus/summary');
  assert.deepEqual(summary.nimbuses.map((n) => n.status).sort(), ['Leader', 'Not a Leader']);
  const standby = summary.nimbuses.find((n) => n.status === 'Not a Leader')!;
  const viaStandby = (args: string[]) => cluster.cli([...args, '--nimbus', `${standby.host}:${standby.port}`]);
  const deactivated = await viaStandby(['deactivate', 'split']);
  assert.equal(deactivated.code, 0, deactivated.stderr);
  assert.equal((await status('split')).status, 'INACTIVE');
  const rebalanced = await viaStandby(['rebalance', 'split', '--workers', '3', '--wait', '90']);
  assert.equal(rebalanced.code, 0, rebalanced.stderr);
  page = await status('split');
  assert.equal(page.workers.length, 3);
  assert.equal(page.epoch, epoch + 1);
  assert.equal(page.status, 'INACTIVE', 'a deactivated topology stays so through a rebalance');

  const end = await cluster.cli(['kill', 'split']);
  assert.equal(end.code, 0, end.stderr);
  assert.deepEqual((await cluster.json<{ topologies: unknown[] }>(['list'])).topologies, []);
  assert.deepEqual(await bundles.list(), []);
  await waitFor(() => cluster.workerPids('sup-a').length + cluster.workerPids('sup-b').length === 0, { timeoutMs: 30_000, message: 'every worker stopped' });
});

async function fetchJson(c: TestCluster, path: string): Promise<{ nimbuses: { host: string; port: number; status: string }[] }> {
  const live = [...c.nimbuses].find(([, d]) => d.child.exitCode === null && d.child.signalCode === null)![0];
  return (await fetch(`http://${live}/api/v1${path}`)).json() as Promise<{ nimbuses: { host: string; port: number; status: string }[] }>;
}
