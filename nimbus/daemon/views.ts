/**
 * The API's answers, in Storm UI's shapes where Storm has the same thing (field names of
 * shared/specs/cluster.md), with numbers as numbers. Counts come from the workers' last beats:
 * exact, and since each worker last started.
 */
import { type Assignment, type TopologyRecord, type WorkerBeat, executorsOf } from '../../worker/index.js';
import { parseSlot } from '../scheduler/even-scheduler.js';
import { type ComponentShape, type LastError, componentDetail, componentRows, topologyStats } from '../stats/component-rows.js';
import { StatsHistory, type TopologyHistory, type Window } from '../stats/stats-history.js';
import type { Nimbus } from './nimbus.js';
import { NimbusErrorCodes } from './nimbus.js';

/** Each Nimbus's windows: in memory, fed from the heartbeats whenever a page is asked for. */
const histories = new WeakMap<Nimbus, StatsHistory>();

/** Feeds the topology's history with the beats of its current epoch; returns it. */
async function historyOf(nimbus: Nimbus, r: TopologyRecord, a: Assignment | undefined, beats: ReadonlyMap<string, WorkerBeat>): Promise<TopologyHistory> {
  let all = histories.get(nimbus);
  if (all === undefined) histories.set(nimbus, (all = new StatsHistory()));
  const history = all.of(r.id);
  const workers = [...beats.values()].filter((b) => b.epoch === a?.epoch && b.tasks !== undefined).map((b) => ({ worker: b.worker, startedAt: b.startedAt ?? 0, tasks: b.tasks! }));
  history.feed(workers, Date.now());
  return history;
}

function shapesOf(r: TopologyRecord, executors: readonly { component: string }[]): ComponentShape[] {
  const count = new Map<string, number>();
  for (const e of executors) count.set(e.component, (count.get(e.component) ?? 0) + 1);
  return r.components.map((c) => ({ id: c.id, kind: c.kind, executors: count.get(c.id) ?? 0, tasks: c.tasks, inputs: c.inputs ?? [] }));
}

async function lastErrorsOf(nimbus: Nimbus, id: string): Promise<Map<string, LastError & { errorTime: number; errorWorker: string }>> {
  const lastErrors = new Map<string, LastError & { errorTime: number; errorWorker: string }>();
  for (const c of await nimbus.state.errorComponents(id)) {
    const e = (await nimbus.state.errors(id, c)).at(-1);
    if (e !== undefined) lastErrors.set(c, { lastError: e.message, errorTime: e.time, errorWorker: e.worker });
  }
  return lastErrors;
}

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

export async function topologyPage(nimbus: Nimbus, nameOrId: string, window: Window = ':all-time') {
  const r = await nimbus.find(nameOrId);
  const state = nimbus.state;
  const a = await state.assignment(r.id);
  const beats = await state.workerBeats(r.id);
  const hosts = new Map((await nimbus.supervisors()).map((s) => [s.id, s.host]));
  const now = Date.now();
  const executors = executorsOf({ name: r.name, components: r.components }, r.executors);
  const beatOf = (supervisor: string, port: number): WorkerBeat | undefined => beats.get(`${supervisor}-${port}`);
  const history = await historyOf(nimbus, r, a, beats);
  const shapes = shapesOf(r, executors);
  const rows = componentRows(history, shapes, window, await lastErrorsOf(nimbus, r.id));
  // Grouped once: a page of 200 components on 50 workers must not scan every executor per row.
  const placements = new Map<string, { id: string }[]>();
  for (const e of executors) (placements.get(e.component) ?? placements.set(e.component, []).get(e.component)!).push({ id: e.id, ...a?.executors[e.id] });
  const onSlot = new Map<string, string[]>();
  for (const [id, p] of Object.entries(a?.executors ?? {})) (onSlot.get(`${p.supervisor}:${p.port}`) ?? onSlot.set(`${p.supervisor}:${p.port}`, []).get(`${p.supervisor}:${p.port}`)!).push(id);
  const placement = (id: string) => placements.get(id) ?? [];
  return {
    id: r.id,
    name: r.name,
    status: STATUS[r.status],
    uptimeSeconds: Math.round((now - r.launchedAt) / 1000),
    epoch: a?.epoch ?? 0,
    window,
    msgTimeout: Math.round(Number(r.config.messageTimeoutMs ?? 30_000) / 1000),
    workersTotal: slotsOf(a).size,
    workersWanted: r.workers,
    executorsTotal: executors.length,
    tasksTotal: tasksOf(r),
    topologyStats: topologyStats(history, shapes),
    workers: [...slotsOf(a)].map((slot) => {
      const { supervisor: supervisorId, port } = parseSlot(slot);
      const beat = beatOf(supervisorId, port);
      // Running: beating under the current epoch, lately (a killed worker's last beat stays behind).
      const running = beat !== undefined && beat.epoch === a?.epoch && now - beat.time < RUNNING_BEAT_MS;
      return { supervisorId, host: hosts.get(supervisorId) ?? '', port, executors: onSlot.get(slot) ?? [], running, lastBeatSecondsAgo: beat === undefined ? null : Math.round((now - beat.time) / 1000), metrics: beat?.metrics ?? null };
    }),
    spouts: rows.spouts.map((s) => ({ ...s, placement: placement(s.spoutId) })),
    bolts: rows.bolts.map((b) => ({ ...b, placement: placement(b.boltId) })),
    graph: shapes.map((c) => ({ id: c.id, kind: c.kind, inputs: c.inputs })),
  };
}

export async function componentPage(nimbus: Nimbus, nameOrId: string, component: string, window: Window = ':all-time') {
  const r = await nimbus.find(nameOrId);
  const a = await nimbus.state.assignment(r.id);
  const executors = executorsOf({ name: r.name, components: r.components }, r.executors);
  const shape = shapesOf(r, executors).find((c) => c.id === component);
  if (shape === undefined) throw Object.assign(new Error(`topology '${r.name}' has no component '${component}' (it has ${r.components.map((c) => c.id).join(', ')})`), { code: NimbusErrorCodes.NOT_FOUND });
  const history = await historyOf(nimbus, r, a, await nimbus.state.workerBeats(r.id));
  const errors = (await nimbus.state.errors(r.id, component).catch(() => [])).slice(-10);
  const last = errors.at(-1);
  return { topologyId: r.id, name: r.name, window, ...componentDetail(history, shape, window, last === undefined ? undefined : { lastError: last.message, errorTime: last.time, errorWorker: last.worker }), componentErrors: errors };
}

export async function topologyErrors(nimbus: Nimbus, nameOrId: string) {
  const r = await nimbus.find(nameOrId);
  const state = nimbus.state;
  const components: Record<string, unknown[]> = {};
  for (const c of await state.errorComponents(r.id)) components[c] = await state.errors(r.id, c);
  return { id: r.id, name: r.name, components };
}
