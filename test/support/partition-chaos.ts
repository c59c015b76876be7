/**
 * Several `nimbus local` processes sharing one consumer group and one output, and a seeded
 * random schedule of faults against them: SIGKILL then restart, SIGINT then restart, and SIGSTOP
 * past the group's session timeout then SIGCONT (a zombie). The schedule is recorded, so a
 * failing run can say exactly what happened and be replayed with the same seed.
 */
import { Mulberry32 } from '../../spouts/generator/index.js';
import type { TopologyProcess } from './topology-process.js';

export interface ChaosOptions {
  readonly seed: number;
  /** How long faults are applied, in ms. */
  readonly durationMs: number;
  /** Faults applied at once, each to a different process. @default 2 */
  readonly agents?: number;
  /** The group's session timeout: pauses last longer than it. */
  readonly sessionTimeoutMs: number;
  /** Starts member `index` (again). */
  readonly start: (index: number) => TopologyProcess;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class PartitionChaos {
  readonly members: TopologyProcess[] = [];
  readonly schedule: string[] = [];
  readonly #options: ChaosOptions;
  readonly #rng: Mulberry32;
  readonly #busy = new Set<number>();
  #t0 = 0;

  constructor(count: number, options: ChaosOptions) {
    this.#options = options;
    this.#rng = new Mulberry32(options.seed);
    for (let i = 0; i < count; i++) this.members.push(options.start(i));
  }

  /** Applies faults for `durationMs`, then resumes every paused member and restarts every stopped one. */
  async run(): Promise<void> {
    this.#t0 = Date.now();
    this.#note(`seed ${this.#options.seed}: ${this.members.length} members, faults for ${this.#options.durationMs / 1000} s`);
    const deadline = this.#t0 + this.#options.durationMs;
    await Promise.all(Array.from({ length: this.#options.agents ?? 2 }, (_, agent) => this.#agent(agent, deadline)));
    for (let i = 0; i < this.members.length; i++) {
      if (!this.members[i]!.running) this.#restart(i);
      else this.members[i]!.signal('SIGCONT');
    }
    this.#note('faults over: every member running');
  }

  /** Stops every member gracefully. */
  async stop(): Promise<void> {
    await Promise.all(this.members.map((m) => m.interrupt()));
  }

  /** The schedule and each member's last lines, for a failure message. */
  report(): string {
    const tails = this.members.map((m) => `--- ${m.label} (last lines)\n${m.tail(15)}`).join('\n');
    return `schedule:\n  ${this.schedule.join('\n  ')}\n${tails}`;
  }

  async #agent(agent: number, deadline: number): Promise<void> {
    const rng = this.#rng;
    await sleep(2_000 + rng.nextUint32() % 4_000);
    while (Date.now() < deadline) {
      const free = this.members.map((_, i) => i).filter((i) => !this.#busy.has(i));
      if (free.length === 0) {
        await sleep(500);
        continue;
      }
      const index = free[rng.nextUint32() % free.length]!;
      this.#busy.add(index);
      try {
        await this.#fault(agent, index, rng.nextUint32() % 3);
      } finally {
        this.#busy.delete(index);
      }
      await sleep(3_000 + (rng.nextUint32() % 5_000));
    }
  }

  async #fault(agent: number, index: number, kind: number): Promise<void> {
    const member = this.members[index]!;
    const rng = this.#rng;
    if (kind === 0) {
      this.#note(`agent ${agent}: SIGKILL ${member.label}`);
      await member.kill9();
      await sleep(500 + (rng.nextUint32() % 2_500));
      this.#restart(index);
    } else if (kind === 1) {
      this.#note(`agent ${agent}: SIGINT ${member.label}`);
      const { code, signal } = await member.interrupt();
      this.#note(`${member.label} exited (code ${code}, signal ${signal})`);
      this.#restart(index);
    } else {
      const pauseMs = this.#options.sessionTimeoutMs + 2_000 + (rng.nextUint32() % 6_000);
      this.#note(`agent ${agent}: SIGSTOP ${member.label} for ${(pauseMs / 1000).toFixed(1)} s`);
      member.signal('SIGSTOP');
      await sleep(pauseMs);
      member.signal('SIGCONT');
      this.#note(`agent ${agent}: SIGCONT ${member.label}`);
    }
  }

  #restart(index: number): void {
    const member = this.#options.start(index);
    this.members[index] = member;
    this.#note(`restart ${member.label}`);
  }

  #note(line: string): void {
    this.schedule.push(`${((Date.now() - this.#t0) / 1000).toFixed(1).padStart(6)} s  ${line}`);
  }
}
