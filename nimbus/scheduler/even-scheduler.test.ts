import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ExecutorDemand, type SchedulePlan, type SupervisorOffer, schedule } from './even-scheduler.js';

const executors = (n: number, cpu = 10, memoryMb = 128): ExecutorDemand[] => Array.from({ length: n }, (_, i) => ({ id: `e${i}`, cpu, memoryMb }));
const supervisor = (id: string, slots = [6700, 6701], cpu = 400, memoryMb = 8192): SupervisorOffer => ({ id, slots, cpu, memoryMb });

function placed(plan: SchedulePlan): Map<string, string> {
  assert.ok('placement' in plan, `scheduled, not refused: ${JSON.stringify(plan)}`);
  return new Map(plan.placement);
}

function perSlot(placement: Map<string, string>): Map<string, number> {
  const n = new Map<string, number>();
  for (const slot of placement.values()) n.set(slot, (n.get(slot) ?? 0) + 1);
  return n;
}

describe('even scheduler', () => {
  it('spreads workers over supervisors and executors evenly over workers', () => {
    const p = placed(schedule({ executors: executors(7), workers: 2, supervisors: [supervisor('a'), supervisor('b')] }));
    assert.deepEqual([...perSlot(p).keys()].sort(), ['a:6700', 'b:6700']);
    assert.deepEqual([...perSlot(p).values()].sort(), [3, 4]);
  });

  it('never places more workers than there are free slots, and says by how much it falls short', () => {
    const plan = schedule({ executors: executors(8), workers: 4, supervisors: [supervisor('a'), supervisor('b')], taken: new Set(['a:6700', 'b:6701']) });
    assert.deepEqual(plan, { refused: 'needs 4 worker slots and 2 are free (2 supervisors, 4 slots, 2 taken): add supervisors or slots, or ask for fewer workers' });
  });

  it('respects the cpu and memory supervisors declare', () => {
    const plan = schedule({ executors: executors(6, 100), workers: 2, supervisors: [supervisor('a', [6700], 200), supervisor('b', [6700], 200)] });
    assert.match((plan as { refused: string }).refused, /supervisor a would need 300% cpu and has 200%/);
    assert.ok('placement' in schedule({ executors: executors(4, 100), workers: 2, supervisors: [supervisor('a', [6700], 200), supervisor('b', [6700], 200)] }));
  });

  it('moves only the executors of a slot that died', () => {
    const first = placed(schedule({ executors: executors(6), workers: 2, supervisors: [supervisor('a'), supervisor('b')] }));
    // Supervisor a dies; c joins.
    const second = placed(schedule({ executors: executors(6), workers: 2, supervisors: [supervisor('b'), supervisor('c')], current: first }));
    for (const [e, slot] of first) if (slot.startsWith('b:')) assert.equal(second.get(e), slot, `${e} stays on ${slot}`);
    assert.ok([...second.values()].every((s) => !s.startsWith('a:')));
    assert.deepEqual([...perSlot(second).values()].sort(), [3, 3]);
  });

  it('asks for no more workers than there are executors', () => {
    const p = placed(schedule({ executors: executors(2), workers: 5, supervisors: [supervisor('a'), supervisor('b')] }));
    assert.equal(perSlot(p).size, 2);
  });
});
