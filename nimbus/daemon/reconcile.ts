/**
 * What the leading Nimbus decides for one topology on each look at the cluster: keep its
 * assignment, or place its executors again because a slot died, a supervisor went away, or a
 * rebalance asked for other counts. Pure, so the decision can be tested without a cluster.
 */
import { type Assignment, type SupervisorRecord, type TopologyRecord, type WorkerBeat, executorsOf } from '../../worker/index.js';
import { type SlotKey, parseSlot, schedule, slotKey } from '../scheduler/even-scheduler.js';

export interface Timeouts {
  /** A worker whose last beat is older than this is dead. */
  readonly workerTimeoutMs: number;
  /** How long a newly assigned worker may take to beat for the first time. */
  readonly workerStartTimeoutMs: number;
}

export interface ReconcileInput {
  readonly record: TopologyRecord;
  readonly assignment: Assignment | undefined;
  readonly supervisors: readonly SupervisorRecord[];
  /** Beats by `<supervisor>-<port>`. */
  readonly beats: ReadonlyMap<string, WorkerBeat>;
  /** Slots other topologies hold, and the cpu and memory they use per supervisor. */
  readonly taken: ReadonlySet<SlotKey>;
  readonly used: ReadonlyMap<string, { cpu: number; memoryMb: number }>;
  readonly now: number;
  readonly timeouts: Timeouts;
}

export type Decision =
  | { readonly kind: 'keep' }
  /** `basedOn`: the epoch decided from; the assignment is written only if it is still the current one. */
  | { readonly kind: 'assign'; readonly why: string; readonly placement: Readonly<Record<string, { supervisor: string; port: number }>>; readonly basedOn: number }
  | { readonly kind: 'refused'; readonly why: string };

/** The slots of an assignment whose worker is gone: its supervisor left, or it stopped beating. */
export function deadSlots(input: Pick<ReconcileInput, 'assignment' | 'supervisors' | 'beats' | 'now' | 'timeouts'>): Map<SlotKey, string> {
  const dead = new Map<SlotKey, string>();
  const a = input.assignment;
  if (a === undefined) return dead;
  const live = new Set(input.supervisors.map((s) => s.id));
  // A worker that has not beaten under this epoch yet may take workerStartTimeoutMs to start;
  // once it has, it must keep beating within workerTimeoutMs.
  const inGrace = input.now - a.assignedAt < input.timeouts.workerStartTimeoutMs;
  for (const p of Object.values(a.executors)) {
    const slot = slotKey(p.supervisor, p.port);
    if (dead.has(slot)) continue;
    if (!live.has(p.supervisor)) {
      dead.set(slot, `supervisor ${p.supervisor} is gone`);
      continue;
    }
    const beat = input.beats.get(`${p.supervisor}-${p.port}`);
    const beatNow = beat !== undefined && beat.epoch === a.epoch;
    const fresh = beatNow && input.now - beat.time < input.timeouts.workerTimeoutMs;
    if (!fresh && (beatNow || !inGrace)) dead.set(slot, beat === undefined || beat.epoch !== a.epoch ? `worker ${slot} never beat under epoch ${a.epoch}` : `worker ${slot} has not beaten for ${Math.round((input.now - beat.time) / 1000)} s`);
  }
  return dead;
}

export function reconcile(input: ReconcileInput): Decision {
  const { record, assignment } = input;
  const executors = executorsOf({ name: record.name, components: record.components }, record.executors);
  const current = new Map(Object.entries(assignment?.executors ?? {}).map(([id, p]) => [id, slotKey(p.supervisor, p.port)]));
  const dead = deadSlots(input);
  const slotsNow = new Set(current.values());
  const sameExecutors = executors.length === current.size && executors.every((e) => current.has(e.id));
  let why: string | undefined;
  if (assignment === undefined) why = 'no assignment yet';
  else if (dead.size > 0) why = [...dead.values()].join('; ');
  else if (!sameExecutors) why = 'the executors changed (rebalance)';
  else if (slotsNow.size !== Math.min(record.workers, executors.length)) why = `${slotsNow.size} workers run and ${record.workers} are wanted (rebalance)`;
  if (why === undefined) return { kind: 'keep' };
  for (const slot of dead.keys()) for (const [e, s] of current) if (s === slot) current.delete(e);
  const taken = new Set([...input.taken, ...dead.keys()]);
  const request = { executors: executors.map((e) => ({ id: e.id, cpu: e.cpu, memoryMb: e.memoryMb })), supervisors: input.supervisors, taken, used: input.used, current };
  let plan = schedule({ ...request, workers: record.workers });
  // Fewer slots than wanted (a supervisor is gone): run on what there is rather than not at all.
  const free = input.supervisors.reduce((n, s) => n + s.slots.filter((p) => !taken.has(slotKey(s.id, p))).length, 0);
  if ('refused' in plan && free >= 1 && free < record.workers) {
    plan = schedule({ ...request, workers: free });
    if (!('refused' in plan)) why = `${why}; on ${free} of the ${record.workers} workers wanted until more slots are free`;
  }
  if ('refused' in plan) return { kind: 'refused', why: `${why}, and the topology cannot be placed again: ${plan.refused}` };
  // Short of slots, the best placement may be the one that runs: nothing to change then.
  if (dead.size === 0 && plan.placement.size === current.size && [...plan.placement].every(([e, slot]) => current.get(e) === slot)) return { kind: 'keep' };
  const placement: Record<string, { supervisor: string; port: number }> = {};
  for (const [e, slot] of plan.placement) placement[e] = parseSlot(slot);
  return { kind: 'assign', why, placement, basedOn: assignment?.epoch ?? 0 };
}

/** Slots, cpu and memory that topologies other than `except` hold. */
export function usage(records: readonly TopologyRecord[], assignments: ReadonlyMap<string, Assignment>, except: string) {
  const taken = new Set<string>();
  const used = new Map<string, { cpu: number; memoryMb: number }>();
  for (const r of records) {
    if (r.id === except) continue;
    const a = assignments.get(r.id);
    if (a === undefined) continue;
    const need = new Map(executorsOf({ name: r.name, components: r.components }, r.executors).map((e) => [e.id, e]));
    for (const [e, p] of Object.entries(a.executors)) {
      taken.add(slotKey(p.supervisor, p.port));
      const u = used.get(p.supervisor) ?? { cpu: 0, memoryMb: 0 };
      u.cpu += need.get(e)?.cpu ?? 0;
      u.memoryMb += need.get(e)?.memoryMb ?? 0;
      used.set(p.supervisor, u);
    }
  }
  return { taken, used };
}
