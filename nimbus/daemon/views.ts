/**
 * The API's answers, in Storm UI's shapes where Storm has the same thing (field names of
 * shared/specs/cluster.md), with numbers as numbers. Counts come from the workers' last beats:
 * exact, and since each worker last started.
 */
import { type Assignment, type TopologyRecord, type WorkerBeat, executorsOf } from '../../worker/index.js';
import { parseSlot } from '../scheduler/even-scheduler.js';
import type { Nimbus } from './nimbus.js';

/** A worker whose last beat is older than this is not shown as running. */
const RUNNING_BEAT_MS = 5_000;

const STATUS = { active: 'ACTIVE', inactive: 'INACTIVE', killed: 'KILLED', rebalancing: 'REBALANCING' } as const;

async function records(nimbus: Nimbus): Promise<{ record: TopologyRecord; assignment: Assignment | undefined }[]> {
  const state = nimbus.state;
  const out = [];
  for (const id of await state.topologyIds()) {
    const record = await state.topology(id);
    if (record !== undefined) out.push({ record, assignment: await state.assignment(id) });
  }
  return out;
}

const slotsOf = (a: Assignment | undefined) => new Set(Object.values(a?.executors ?? {}).map((p) => `${p.supervisor}:${p.port}`));
const tasksOf = (r: TopologyRecord) => r.components.reduce((n, c) => n + c.tasks, 0);

export async function clusterSummary(nimbus: Nimbus) {
  const supervisors = await nimbus.supervisors();
  const all = await records(nimbus);
  const slotsTotal = supervisors.reduce((n, s) => n + s.slots.length, 0);
  const slotsUsed = all.reduce((n, t) => n + slotsOf(t.assignment).size, 0);
  return {
    stormVersion: nimbus.version,
    squallVersion: nimbus.version,
    supervisors: supervisors.length,
    topologies: all.length,
    slotsTotal,
    slotsUsed,
    slotsFree: slotsTotal - slotsUsed,
    executorsTotal: all.reduce((n, t) => n + Object.keys(t.assignment?.executors ?? {}).length, 0),
    tasksTotal: all.reduce((n, t) => n + tasksOf(t.record), 0),
  };
}

export async function nimbusSummary(nimbus: Nimbus) {
  const leader = await nimbus.leader();
  const now = Date.now();
  return {
    nimbuses: (await nimbus.state.nimbuses()).map((n) => {
      const { supervisor: host, port } = parseSlot(n.address);
      return { host, port, status: n.address === leader ? 'Leader' : 'Not a Leader', nimbusUpTimeSeconds: Math.round((now - n.startedAt) / 1000), version: n.version };
    }),
  };
}

export async function supervisorSummary(nimbus: Nimbus) {
  const all = await records(nimbus);
  const now = Date.now();
  return {
    supervisors: (await nimbus.supervisors()).map((s) => {
      const used = all.flatMap((t) => [...slotsOf(t.assignment)].filter((slot) => slot.startsWith(`${s.id}:`)).map((slot) => ({ port: Number(slot.slice(s.id.length + 1)), topologyId: t.record.id })));
      return { id: s.id, host: s.host, uptimeSeconds: Math.round((now - s.startedAt) / 1000), slotsTotal: s.slots.length, slotsUsed: used.length, slots: s.slots, used, totalCpu: s.cpu, totalMem: s.memoryMb };
    }),
  };
}

export async function topologySummary(nimbus: Nimbus) {
  const now = Date.now();
  return {
    topologies: (await records(nimbus)).map(({ record: r, assignment: a }) => ({
      id: r.id,
      name: r.name,
      status: STATUS[r.status],
      uptimeSeconds: Math.round((now - r.launchedAt) / 1000),
      tasksTotal: tasksOf(r),
      workersTotal: slotsOf(a).size,
      executorsTotal: Object.keys(a?.executors ?? {}).length,
      epoch: a?.epoch ?? 0,
    })),
  };
}

export async function topologyPage(nimbus: Nimbus, nameOrId: string) {
  const r = await nimbus.find(nameOrId);
  const state = nimbus.state;
  const a = await state.assignment(r.id);
  const beats = await state.workerBeats(r.id);
  const hosts = new Map((await nimbus.supervisors()).map((s) => [s.id, s.host]));
  const now = Date.now();
  const executors = executorsOf({ name: r.name, components: r.components }, r.executors);
  const counts = new Map<string, { emitted: number; executed: number; acked: number; failed: number }>();
  const beatOf = (supervisor: string, port: number): WorkerBeat | undefined => beats.get(`${supervisor}-${port}`);
  for (const slot of slotsOf(a)) {
    const { supervisor, port } = parseSlot(slot);
    const beat = beatOf(supervisor, port);
    if (beat === undefined || beat.epoch !== a?.epoch) continue;
    for (const [c, s] of Object.entries(beat.components)) {
      const n = counts.get(c) ?? { emitted: 0, executed: 0, acked: 0, failed: 0 };
      n.emitted += s.emitted;
      n.executed += s.executed;
      n.acked += s.acked;
      n.failed += s.failed;
      counts.set(c, n);
    }
  }
  const lastErrors = new Map<string, { lastError: string; errorTime: number; errorWorker: string }>();
  for (const c of await state.errorComponents(r.id)) {
    const e = (await state.errors(r.id, c)).at(-1);
    if (e !== undefined) lastErrors.set(c, { lastError: e.message, errorTime: e.time, errorWorker: e.worker });
  }
  const component = (id: string) => {
    const c = r.components.find((x) => x.id === id)!;
    const places = executors.filter((e) => e.component === id).map((e) => ({ id: e.id, ...a?.executors[e.id] }));
    return { executors: places.length, tasks: c.tasks, placement: places, ...(counts.get(id) ?? { emitted: 0, executed: 0, acked: 0, failed: 0 }), ...(lastErrors.get(id) ?? { lastError: '' }) };
  };
  return {
    id: r.id,
    name: r.name,
    status: STATUS[r.status],
    uptimeSeconds: Math.round((now - r.launchedAt) / 1000),
    epoch: a?.epoch ?? 0,
    workersTotal: slotsOf(a).size,
    workersWanted: r.workers,
    executorsTotal: executors.length,
    tasksTotal: tasksOf(r),
    workers: [...slotsOf(a)].map((slot) => {
      const { supervisor: supervisorId, port } = parseSlot(slot);
      const beat = beatOf(supervisorId, port);
      // Running: beating under the current epoch, lately (a killed worker's last beat stays behind).
      const running = beat !== undefined && beat.epoch === a?.epoch && now - beat.time < RUNNING_BEAT_MS;
      return { supervisorId, host: hosts.get(supervisorId) ?? '', port, executors: Object.entries(a?.executors ?? {}).filter(([, p]) => p.supervisor === supervisorId && p.port === port).map(([e]) => e), running, lastBeatSecondsAgo: beat === undefined ? null : Math.round((now - beat.time) / 1000), metrics: beat?.metrics ?? null };
    }),
    spouts: r.components.filter((c) => c.kind === 'spout').map((c) => ({ spoutId: c.id, ...component(c.id) })),
    bolts: r.components.filter((c) => c.kind === 'bolt').map((c) => ({ boltId: c.id, ...component(c.id) })),
  };
}

export async function topologyErrors(nimbus: Nimbus, nameOrId: string) {
  const r = await nimbus.find(nameOrId);
  const state = nimbus.state;
  const components: Record<string, unknown[]> = {};
  for (const c of await state.errorComponents(r.id)) components[c] = await state.errors(r.id, c);
  return { id: r.id, name: r.name, components };
}
