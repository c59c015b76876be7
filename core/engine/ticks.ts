/** Tick tuples: each bolt that asks for them (`tickIntervalMs`) gets one per task per interval. */
import type { BoltExecutor } from './bolt-executor.js';
import type { TopologyLayout } from './layout.js';
import { TupleImpl } from './tuple-impl.js';
import { TICK_SCHEMA } from './wiring.js';

export class Ticks {
  /** Ticks delivered so far: not activity of the topology's own. */
  delivered = 0;
  readonly #timers: NodeJS.Timeout[] = [];

  start(bolts: readonly BoltExecutor[], layout: TopologyLayout): void {
    for (const b of bolts) {
      const interval = layout.componentOfTask.get(b.tasks[0]!.context.taskId)!.tickIntervalMs;
      if (interval === undefined) continue;
      this.#timers.push(
        setInterval(() => {
          for (const t of b.tasks) {
            this.delivered++;
            b.inbox.push(new TupleImpl([], TICK_SCHEMA, -1, t.context.taskId));
          }
        }, interval),
      );
    }
  }

  stop(): void {
    for (const t of this.#timers) clearInterval(t);
  }
}
