/**
 * Nimbus's scheduler, after Storm's EvenScheduler: a topology's executors are spread evenly
 * over `workers` slots, the slots themselves spread over supervisors (one slot from each
 * supervisor in turn), and no supervisor is given more cpu or memory than it declared. It is a
 * pure function of what is asked and what is free, so any Nimbus that leads computes the same
 * answer, and a reassignment moves only what it must: executors whose slot is still alive stay.
 *
 * @example
 * ```ts
 * const plan = schedule({ executors, workers: 2, supervisors, taken: new Set(['sup-1:6700']) });
 * if ('refused' in plan) throw new Error(plan.refused);
 * ```
 */

/** An executor to place, with what its component declared it needs. */
export interface ExecutorDemand {
  readonly id: string;
  readonly cpu: number;
  readonly memoryMb: number;
}

/** A supervisor as the scheduler sees it. */
export interface SupervisorOffer {
  readonly id: string;
  readonly slots: readonly number[];
  readonly cpu: number;
  readonly memoryMb: number;
}

/** A worker slot: `<supervisor>:<port>`. */
export type SlotKey = string;

export interface ScheduleRequest {
  readonly executors: readonly ExecutorDemand[];
  /** Worker processes wanted. */
  readonly workers: number;
  readonly supervisors: readonly SupervisorOffer[];
  /** Slots other topologies hold. */
  readonly taken?: ReadonlySet<SlotKey>;
  /** Cpu and memory other topologies use, per supervisor. */
  readonly used?: ReadonlyMap<string, { readonly cpu: number; readonly memoryMb: number }>;
  /** This topology's current placement, executor id → slot: kept where its slot is still wanted. */
  readonly current?: ReadonlyMap<string, SlotKey>;
}

export type SchedulePlan = { readonly placement: ReadonlyMap<string, SlotKey>; readonly slots: readonly SlotKey[] } | { readonly refused: string };

export const slotKey = (supervisor: string, port: number): SlotKey => `${supervisor}:${port}`;
/** The supervisor and port of a slot key (or the host and port of an address). */
export function parseSlot(slot: SlotKey): { supervisor: string; port: number } {
  const i = slot.lastIndexOf(':');
  return { supervisor: slot.slice(0, i), port: Number(slot.slice(i + 1)) };
}
const supervisorOf = (slot: SlotKey) => parseSlot(slot).supervisor;

export function schedule(request: ScheduleRequest): SchedulePlan {
  const { executors, supervisors } = request;
  const taken = request.taken ?? new Set<SlotKey>();
  const workers = Math.min(request.workers, executors.length);
  const alive = new Set(supervisors.flatMap((s) => s.slots.map((p) => slotKey(s.id, p))));
  // Slots this topology holds and may keep, then free slots, one supervisor after another.
  const kept = [...new Set([...(request.current?.values() ?? [])])].filter((s) => alive.has(s) && !taken.has(s));
  const free: SlotKey[] = [];
  const bySupervisor = [...supervisors].sort((a, b) => (a.id < b.id ? -1 : 1)).map((s) => s.slots.map((p) => slotKey(s.id, p)).filter((k) => !taken.has(k) && !kept.includes(k)));
  for (let i = 0; bySupervisor.some((list) => i < list.length); i++) for (const list of bySupervisor) if (i < list.length) free.push(list[i]!);
  const available = kept.length + free.length;
  if (available < workers) {
    return { refused: `needs ${workers} worker slots and ${available} ${available === 1 ? 'is' : 'are'} free (${supervisors.length} supervisors, ${supervisors.reduce((n, s) => n + s.slots.length, 0)} slots, ${taken.size} taken): add supervisors or slots, or ask for fewer workers` };
  }
  const slots = [...kept.slice(0, workers), ...free.slice(0, Math.max(0, workers - kept.length))];
  const load = new Map(slots.map((s) => [s, 0]));
  const placement = new Map<string, SlotKey>();
  // Executors whose slot is still one of ours stay, as long as that keeps the spread even.
  const perSlot = Math.ceil(executors.length / Math.max(1, workers));
  for (const e of executors) {
    const slot = request.current?.get(e.id);
    if (slot !== undefined && load.has(slot) && load.get(slot)! < perSlot) {
      placement.set(e.id, slot);
      load.set(slot, load.get(slot)! + 1);
    }
  }
  for (const e of executors) {
    if (placement.has(e.id)) continue;
    const slot = [...load].sort((a, b) => a[1] - b[1])[0]![0];
    placement.set(e.id, slot);
    load.set(slot, load.get(slot)! + 1);
  }
  const refusal = overCapacity(request, placement);
  return refusal === undefined ? { placement, slots } : { refused: refusal };
}

/** Why the placement gives some supervisor more cpu or memory than it has; undefined when it fits. */
function overCapacity(request: ScheduleRequest, placement: ReadonlyMap<string, SlotKey>): string | undefined {
  const demand = new Map(request.executors.map((e) => [e.id, e]));
  const need = new Map<string, { cpu: number; memoryMb: number }>();
  for (const [executor, slot] of placement) {
    const s = supervisorOf(slot);
    const n = need.get(s) ?? { cpu: request.used?.get(s)?.cpu ?? 0, memoryMb: request.used?.get(s)?.memoryMb ?? 0 };
    n.cpu += demand.get(executor)!.cpu;
    n.memoryMb += demand.get(executor)!.memoryMb;
    need.set(s, n);
  }
  for (const s of request.supervisors) {
    const n = need.get(s.id);
    if (n === undefined) continue;
    if (n.cpu > s.cpu) return `supervisor ${s.id} would need ${n.cpu}% cpu and has ${s.cpu}%: lower the components' cpu, add supervisors, or ask for more workers`;
    if (n.memoryMb > s.memoryMb) return `supervisor ${s.id} would need ${n.memoryMb} MiB and has ${s.memoryMb} MiB: lower the components' memoryMb, add supervisors, or ask for more workers`;
  }
  return undefined;
}
