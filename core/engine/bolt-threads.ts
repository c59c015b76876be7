/**
 * A runtime's share of the process's threads: it takes up the process's pool when it starts (if
 * a bolt it hosts declares `threads`), gives each such bolt task its {@link TaskThreads}, and
 * gives the pool back when it stops. See core/threads/task-threads.ts.
 */
import { ErrorCodes, SquallError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ComponentDefinition } from '../topology/types.js';
import type { ThreadPool } from '../threads/thread-pool.js';
import { acquireProcessThreads, type ProcessThreads, type TaskThreads, taskThreads } from '../threads/task-threads.js';

/** Runtimes made in this process, to name their tasks' affinities apart. */
let runtimes = 0;

export class BoltThreads {
  readonly #needed: number;
  readonly #logger: Logger;
  readonly #runtime = ++runtimes;
  readonly #affinities: string[] = [];
  #held: ProcessThreads | undefined;

  /** @param hosted the components of the executors this runtime hosts */
  constructor(hosted: readonly ComponentDefinition[], logger: Logger) {
    this.#needed = Math.max(0, ...hosted.filter((c) => c.kind === 'bolt').map((c) => c.threads));
    this.#logger = logger;
  }

  /** The threads of one bolt task, or undefined when its component declares none. */
  forTask(component: ComponentDefinition, task: number): TaskThreads | undefined {
    if (component.kind !== 'bolt' || component.threads === 0) return undefined;
    const affinity = `runtime ${this.#runtime} task ${task}`;
    this.#affinities.push(affinity);
    return taskThreads(() => this.#pool(), component.threads, affinity);
  }

  /** Takes up the process's pool, grown to the most threads a hosted bolt declares. */
  start(): void {
    if (this.#needed === 0 || this.#held !== undefined) return;
    this.#held = acquireProcessThreads(this.#needed, (error) => this.#logger.warn(`bolt threads: ${error.message}`));
  }

  /** Gives the pool back (once every bolt is cleaned up). Safe to call twice. */
  async stop(): Promise<void> {
    const held = this.#held;
    if (held === undefined) return;
    this.#held = undefined;
    for (const affinity of this.#affinities) held.pool.endAffinity(affinity);
    await held.release();
  }

  #pool(): ThreadPool<unknown, unknown> {
    if (this.#held === undefined) throw new SquallError(ErrorCodes.COMPONENT_LIFECYCLE, 'bolt threads were used before the topology started or after it stopped');
    return this.#held.pool;
  }
}
