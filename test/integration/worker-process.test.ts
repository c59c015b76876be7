/**
 * Two worker processes of one topology, placed by an assignment in the real ZooKeeper (written
 * here, as Nimbus will write it): each hosts its executors, they exchange tuples and acks over
 * TCP, beat into ZooKeeper with their counters, and stop when the assignment's epoch moves on.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { TopologyRuntime } from '../../core/index.js';
import { ClusterState } from '../../worker/cluster/cluster-state.js';
import { ZkSession } from '../../worker/cluster/zk-session.js';
import split from '../fixtures/topologies/split.js';
import { SPLIT_ROWS, inA } from '../fixtures/split-topology.js';
import { REPO_ROOT, ensureInfra, infraSettings, testNames, waitFor } from '../support/index.js';

const zookeeper = infraSettings.zookeeper.connectionString;
let zk: ZkSession;
const children: ChildProcess[] = [];

before(async () => {
  await ensureInfra();
  zk = await ZkSession.connect({ connectionString: zookeeper });
});
after(() => {
  for (const c of children) c.kill('SIGKILL');
  zk?.close();
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function worker(supervisor: string, port: number, zkRoot: string, topologyId: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'worker/main.ts'), '--topology-file', 'test/fixtures/topologies/split.ts', '--topology-id', topologyId, '--supervisor', supervisor, '--port', String(port), '--zookeeper', zookeeper, '--zk-root', zkRoot], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d));
  child.stderr!.on('data', (d: Buffer) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

interface Beat {
  worker: string;
  epoch: number;
  components: Record<string, { acked: number; failed: number }>;
}

test('two worker processes run their assigned executors, ack across TCP, beat into ZooKeeper, and stop on a new epoch', { timeout: 90_000 }, async () => {
  const { zkRoot } = testNames('workers');
  const state = new ClusterState(zk, zkRoot);
  await state.init();
  const [portA, portB] = [await freePort(), await freePort()];
  for (const id of ['sup-a', 'sup-b']) await state.registerSupervisor({ id, host: '127.0.0.1', slots: [id === 'sup-a' ? portA : portB], cpu: 200, memoryMb: 4096, startedAt: Date.now() });
  const layout = new TopologyRuntime({ topology: split }).layout;
  const topologyId = 'split-1';
  await state.putTopology({ id: topologyId, name: 'split', status: 'active', workers: 2, executors: {}, components: [], bundle: 'test/fixtures/topologies/split.ts', config: {}, launchedAt: Date.now() });
  const placement = Object.fromEntries(layout.executors.map((e) => [e.id, inA(e, layout) ? { supervisor: 'sup-a', port: portA } : { supervisor: 'sup-b', port: portB }]));
  await state.assign(topologyId, () => placement);
  const a = worker('sup-a', portA, zkRoot, topologyId);
  const b = worker('sup-b', portB, zkRoot, topologyId);
  const beats = async (): Promise<Beat[]> => {
    const dir = state.paths.workerbeats(topologyId);
    const nodes = await zk.children(dir);
    return (await Promise.all(nodes.map((n) => zk.get(`${dir}/${n}`)))).filter((n) => n !== undefined && n.data.length > 0).map((n) => JSON.parse(n!.data.toString('utf8')) as Beat);
  };
  const spout = async () => (await beats()).map((beat) => beat.components.src).find((c) => c !== undefined);
  try {
    await waitFor(async () => {
      const s = await spout();
      return s !== undefined && s.acked + s.failed === 2 * SPLIT_ROWS;
    }, { timeoutMs: 60_000, intervalMs: 500, message: 'every root acked or failed, as the heartbeats tell' });
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- A\n${a.output().slice(-2000)}\n--- B\n${b.output().slice(-2000)}`);
  }
  const s = (await spout())!;
  assert.equal(s.acked, 2 * SPLIT_ROWS - 8);
  assert.equal(s.failed, 8, "the 'total' bolt in B failed rows 13, 113, 213, 313 of each spout task");
  const all = await beats();
  assert.deepEqual(all.map((x) => x.worker).sort(), [`sup-a:${portA}`, `sup-b:${portB}`]);
  assert.ok(all.every((x) => x.epoch === 1));
  // Nimbus moves on: a new epoch. Each worker drains and exits, for its supervisor to start it again.
  await state.assign(topologyId, () => placement);
  assert.deepEqual(await Promise.all([a.exited, b.exited]), [0, 0]);
  assert.match(a.output(), /stopping: the assignment changed \(epoch 1 -> 2\)/);
});
