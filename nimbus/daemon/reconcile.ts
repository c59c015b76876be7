/**
 * What the leading Nimbus decides for one topology on each look at the cluster: keep its
 * assignment, or place its executors again because a slot died, a supervisor went away, or a
 * rebalance asked for other counts. Pure, so the decision can be tested without a cluster.
 */
import { type Assignment, type SupervisorRecord, type TopologyRecord, type WorkerBeat, executorsOf } from '../../worker/index.js';
import { type SlotKey, schedule, slotKey } from '../scheduler/even-scheduler.js';

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
  | { readonly kind: 'assign'; readonly why: string; readonly placement: Readonly<Record<string, { supervisor: string; port: number }>> }
  | { readonly kind: 'refused'; readonly why: string };

const supervisorOf = (slot: SlotKey) => slot.slice(0, slot.lastIndexOf(':'));
const portOf = (slot: SlotKey) => Number(slot.slice(slot.lastIndexOf(':') + 1));

/** The slots of an assignment whose worker is gone: its supervisor left, or it stopped beating. */
export function deadSlots(input: Pick<ReconcileInput, 'assignment' | 'supervisors' | 'beats' | 'now' | 'timeouts'>): Map<SlotKey, string> {
  const dead = new Map<SlotKey, string>();
  const a = input.assignment;
  if (a === undefined) return dead;
  const live = new Set(input.supervisors.map((s) => s.id));
  const inGrace = input.now - a.assignedAt < input.timeouts.workerStartTimeoutMs;
  for (const p of Object.values(a.executors)) {
    const slot = slotKey(p.supervisor, p.port);
    if (dead.has(slot)) continue;
    if (!live.has(p.supervisor)) {
      dead.set(slot, `supervisor ${p.supervisor} is gone`);
      continue;
    }
    const beat = input.beats.get(`${p.supervisor}-${p.port}`);
    const fresh = beat !== undefined && beat.epoch === a.epoch && input.now - beat.time < input.timeouts.workerTimeoutMs;
    if (!fresh && !inGrace) dead.set(slot, beat === undefined || beat.epoch !== a.epoch ? `worker ${slot} never beat under epoch ${a.epoch}` : `worker ${slot} has not beaten for ${Math.round((input.now - beat.time) / 1000)} s`);
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
  const plan = schedule({
    executors: executors.map((e) => ({ id: e.id, cpu: e.cpu, memoryMb: e.memoryMb })),
    workers: record.workers,
    supervisors: input.supervisors,
    taken: new Set([...input.taken, ...dead.keys()]),
    used: input.used,
    current,
  });
  if ('refused' in plan) return { kind: 'refused', why: `${why}, and the topology cannot be placed again: ${plan.refused}` };
  const placement: Record<string, { supervisor: string; port: number }> = {};
  for (const [e, slot] of plan.placement) placement[e] = { supervisor: supervisorOf(slot), port: portOf(slot) };
  return { kind: 'assign', why, placement };
}
