/** A snapshot of what each component has done, for status lines, summaries and tests. */
import type { Wiring } from './wiring.js';

export interface ComponentStats {
  readonly kind: 'spout' | 'bolt';
  /** Tuples emitted (one per emit call, whatever the number of copies). */
  emitted: number;
  /** Bolt: tuples executed. */
  executed: number;
  /** Spout: trees completed; bolt: tuples acked. */
  acked: number;
  /** Spout: trees failed or timed out; bolt: tuples failed. */
  failed: number;
  /** Spout: trees in flight. */
  pending: number;
  /** Bolt: tuples waiting in its queues. */
  queued: number;
  /** Spout: records given up after their retries, sent to errors (when the spout says; see `Spout.records`). */
  givenUp?: number;
  /** Spout: records read and not yet written anywhere (when the spout says). */
  unwritten?: number;
  /** Spout: lines skipped as blank, holding no record (when the spout says). */
  blank?: number;
}

export interface RuntimeStats {
  readonly components: Record<string, ComponentStats>;
  /** Trees in flight across the process. */
  readonly pending: number;
}

/** @param order component ids in the order the snapshot should list them */
export function snapshotStats(wiring: Wiring, pending: number, order: readonly string[] = []): RuntimeStats {
  const components: Record<string, ComponentStats> = {};
  const entry = (id: string, kind: 'spout' | 'bolt') =>
    (components[id] ??= { kind, emitted: 0, executed: 0, acked: 0, failed: 0, pending: 0, queued: 0 });
  for (const s of wiring.spouts) {
    for (const t of s.tasks) {
      const c = entry(t.context.componentId, 'spout');
      c.emitted += t.emitted;
      c.pending += t.pending;
      const records = t.spout.records?.();
      if (records !== undefined) {
        c.givenUp = (c.givenUp ?? 0) + records.givenUp;
        c.unwritten = (c.unwritten ?? 0) + records.unwritten;
        if (records.blank !== undefined) c.blank = (c.blank ?? 0) + records.blank;
      }
    }
  }
  for (const b of wiring.bolts) {
    const c = entry(b.tasks[0]!.context.componentId, 'bolt');
    c.queued += b.inbox.size;
    for (const t of b.tasks) {
      c.executed += t.metrics.executed.value;
      c.acked += t.metrics.acked.value;
      c.failed += t.metrics.failed.error.value + t.metrics.failed.explicit.value;
    }
  }
  for (const s of wiring.spouts) {
    for (const t of s.tasks) {
      const c = components[t.context.componentId]!;
      c.acked += t.ackedCount();
      c.failed += t.failedCount();
    }
  }
  // Bolt emits are counted on their stream counters.
  for (const b of wiring.bolts) {
    const c = components[b.tasks[0]!.context.componentId]!;
    for (const t of b.tasks) c.emitted += t.emittedCount();
  }
  // Listed in topological order; a component not in `order` keeps its place at the end.
  const ordered: Record<string, ComponentStats> = {};
  for (const id of order) if (components[id] !== undefined) ordered[id] = components[id];
  return { components: Object.assign(ordered, components), pending };
}
