/**
 * Cluster state on the real ZooKeeper that infra/ starts: leader election and what a lost
 * session does to it, supervisors as ephemeral nodes, the assignment epoch under concurrent
 * writers, and the trimmed error log. Each test has its own root.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { firstValueFrom, filter, skip, toArray, take } from 'rxjs';
import { ClusterState, ERRORS_KEPT } from '../../worker/cluster/cluster-state.js';
import { LeaderLatch } from '../../worker/cluster/leader-latch.js';
import { ZkSession } from '../../worker/cluster/zk-session.js';
import { ensureInfra, infraSettings, testNames, waitFor } from '../support/index.js';

const connectionString = infraSettings.zookeeper.connectionString;
const sessions: ZkSession[] = [];

async function session(sessionTimeoutMs = 6_000): Promise<ZkSession> {
  const zk = await ZkSession.connect({ connectionString, sessionTimeoutMs });
  sessions.push(zk);
  return zk;
}

/**
 * Expires a session from the outside, as a long pause or a partition would: another client joins
 * it and closes it. The session's own client may take the session back first (its reconnection
 * wins the race, and the close then ends nothing), so the join is tried again until it expires.
 */
async function expire(zk: ZkSession): Promise<void> {
  const expired = firstValueFrom(zk.expired).then(() => true);
  for (let attempt = 1; attempt <= 5; attempt++) {
    const twin = await ZkSession.connect({ connectionString, session: zk.credentials });
    twin.close();
    const deadline = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 8_000).unref());
    if (await Promise.race([expired, deadline])) return;
  }
  throw new Error('the session did not expire after 5 tries');
}

before(async () => {
  await ensureInfra();
});
after(async () => {
  for (const zk of sessions) zk.close();
});

describe('ZooKeeper cluster state', { timeout: 180_000 }, () => {
  it('elects one leader; when it leaves, the next candidate leads', async () => {
    const { zkRoot } = testNames('leader');
    const [a, b] = [await session(), await session()];
    const la = await LeaderLatch.join(a, `${zkRoot}/leader-lock`, 'nimbus-a');
    const lb = await LeaderLatch.join(b, `${zkRoot}/leader-lock`, 'nimbus-b');
    assert.equal(la.isLeader, true);
    assert.equal(lb.isLeader, false);
    assert.equal(await LeaderLatch.leader(a, `${zkRoot}/leader-lock`), 'nimbus-a');
    await la.close();
    await lb.untilLeader();
    assert.equal(await LeaderLatch.leader(b, `${zkRoot}/leader-lock`), 'nimbus-b');
    await lb.close();
  });

  it('a leader whose session expires stops leading first, and another candidate takes over', async () => {
    const { zkRoot } = testNames('expiry');
    const [a, b] = [await session(), await session()];
    const la = await LeaderLatch.join(a, `${zkRoot}/leader-lock`, 'nimbus-a');
    const lb = await LeaderLatch.join(b, `${zkRoot}/leader-lock`, 'nimbus-b');
    const aSays = firstValueFrom(la.leading.pipe(toArray()));
    await expire(a);
    assert.deepEqual(await aSays, [true, false], 'a leads, then says it does not, then is done');
    await lb.untilLeader();
    assert.equal(await LeaderLatch.leader(b, `${zkRoot}/leader-lock`), 'nimbus-b');
  });

  it('a supervisor is registered for as long as its session lives', async () => {
    const { zkRoot } = testNames('supervisors');
    const [watcher, sup] = [await session(), await session()];
    const state = new ClusterState(watcher, zkRoot);
    await state.init();
    const seen = state.watchSupervisors();
    await new ClusterState(sup, zkRoot).registerSupervisor({ id: 'sup-1', host: '127.0.0.1', slots: [6700, 6701], cpu: 200, memoryMb: 2048, startedAt: Date.now() });
    await firstValueFrom(seen.pipe(filter((ids) => ids.includes('sup-1'))));
    assert.deepEqual((await state.supervisors()).map((s) => [s.id, s.slots]), [['sup-1', [6700, 6701]]]);
    const gone = firstValueFrom(seen.pipe(skip(1), filter((ids) => ids.length === 0)));
    sup.close();
    await gone;
    assert.deepEqual(await state.supervisors(), []);
  });

  it('every change of an assignment raises its epoch by one, whatever the writers race', async () => {
    const { zkRoot } = testNames('epoch');
    const [a, b] = [await session(), await session()];
    const sa = new ClusterState(a, zkRoot);
    const sb = new ClusterState(b, zkRoot);
    await sa.init();
    const seenEpochs = firstValueFrom(sa.watchAssignment('t-1').pipe(filter((x) => x !== undefined), take(1)));
    const writes = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? sa : sb).assign('t-1', (current) => ({ ...current?.executors, [`bolt:${i}-${i}`]: { supervisor: i % 2 === 0 ? 'sup-a' : 'sup-b', port: 6700 } })));
    const results = await Promise.all(writes);
    assert.deepEqual(results.map((r) => r.epoch).sort((x, y) => x - y), Array.from({ length: 20 }, (_, i) => i + 1));
    const final = await sa.assignment('t-1');
    assert.equal(final!.epoch, 20);
    assert.equal(Object.keys(final!.executors).length, 20, 'no write lost another writer’s change');
    assert.ok((await seenEpochs)!.epoch >= 1);
    await waitFor(async () => (await sb.epoch('t-1')) === 20, { message: 'the other session reads epoch 20' });
  });

  it('keeps the last errors of a component, and refuses a topology id that is taken', async () => {
    const { zkRoot } = testNames('errors');
    const zk = await session();
    const state = new ClusterState(zk, zkRoot);
    await state.init();
    for (let i = 0; i < ERRORS_KEPT + 3; i++) await state.reportError('t-1', { component: 'count', task: 3, worker: 'sup-1:6700', message: `boom ${i}`, time: i });
    assert.deepEqual((await state.errors('t-1', 'count')).map((e) => e.message), Array.from({ length: ERRORS_KEPT }, (_, i) => `boom ${i + 3}`));
    const record = { id: 't-1', name: 'wc', status: 'active' as const, workers: 2, executors: { count: 2 }, components: [], bundle: '/squall/bundles/t-1.js', config: {}, launchedAt: 0 };
    await state.putTopology(record);
    await assert.rejects(state.putTopology(record), (e: Error & { code?: string }) => e.code === 'SQUALL_ERR_ZK_NODE_EXISTS');
    assert.deepEqual(await state.topology('t-1'), record);
  });
});
