/**
 * The exact data-loss check of one set of cache hosts: every host's sequence numbers, followed
 * across hours and across restarts of its counter.
 *
 * A host's numbers are split into runs of its counter (see {@link SequenceResetRule}). Each run
 * remembers the numbers it has seen and how far its hours have been accounted for. When an hour
 * closes, each run in it accounts for the numbers after the run's last accounted number up to its
 * highest number in this hour: so a gap between one hour's last number and the next hour's first
 * is counted in the later hour, a restart starts a new range (no duplicates, no loss), and a loss
 * after a restart is still counted. A number is lost when no record brought it by the time its
 * hour closed. The ledger is plain state: it survives a restart through {@link SequenceLedger.toJSON}.
 */
import { HOUR_MS } from './event-time.js';
import { SequenceBitset } from './sequence-bitset.js';
import type { SequenceResetRule } from './sequence-reset-rule.js';
import { type HourCounts, type SequenceStatsRow, newHourCounts, statsRowOf } from './sequence-stats.js';

/** One run of a host's counter. */
interface Run {
  readonly id: number;
  low: number;
  high: number;
  /** The highest number a closed hour has accounted for; null before the run's first close. */
  accounted: number | null;
  readonly seen: SequenceBitset;
}

interface HostState {
  readonly runs: Run[];
  nextRunId: number;
  /** Open hours: hour start → counts. */
  readonly hours: Map<number, HourCounts>;
}

/** A restart of a host's counter, as the ledger saw it. */
export interface SequenceReset {
  readonly hostname: string;
  /** The highest number of the run that ended. */
  readonly from: number;
  /** The first number of the new run. */
  readonly to: number;
}

/** The ledger's saved form (JSON). */
export interface SequenceLedgerState {
  readonly closedThrough: number;
  readonly hosts: Record<string, { nextRunId: number; runs: SavedRun[]; hours: [number, SavedHour][] }>;
}
type SavedRun = Omit<Run, 'seen'> & { seen: ReturnType<SequenceBitset['toJSON']> };
type SavedHour = Omit<HourCounts, 'runHighs'> & { runHighs: [number, number][] };

export class SequenceLedger {
  readonly #rule: SequenceResetRule;
  readonly #hosts = new Map<string, HostState>();
  /** Hours before this one are closed: a record for one of them is counted in this hour. */
  #closedThrough = 0;

  constructor(rule: SequenceResetRule) {
    this.#rule = rule;
  }

  /** The start of the first hour still open. */
  get closedThrough(): number {
    return this.#closedThrough;
  }

  /**
   * Counts one record.
   * @param timeMs its event time (epoch ms); a record of a closed hour is counted in the first open one
   * @param incomplete true when its `dt` was `-` (the caller chose the time)
   * @returns the restart this record revealed, if it did
   */
  add(hostname: string, sequence: number, timeMs: number, incomplete: boolean): SequenceReset | undefined {
    if (!Number.isSafeInteger(sequence) || sequence < 0) throw new RangeError('sequence must be a non-negative safe integer');
    const host = this.#host(hostname);
    const ownHour = Math.floor(timeMs / HOUR_MS) * HOUR_MS;
    const hourStart = Math.max(ownHour, this.#closedThrough);
    let counts = host.hours.get(hourStart);
    if (counts === undefined) host.hours.set(hourStart, (counts = newHourCounts()));
    counts.actual++;
    if (incomplete) counts.incomplete++;
    if (sequence < counts.min) counts.min = sequence;
    if (sequence > counts.max) counts.max = sequence;

    let reset: SequenceReset | undefined;
    let run = this.#runOf(host, sequence);
    if (run === undefined) {
      const current = host.runs.at(-1);
      if (current !== undefined) {
        reset = { hostname, from: current.high, to: sequence };
        counts.resets++;
      }
      run = { id: host.nextRunId++, low: sequence, high: sequence, accounted: null, seen: new SequenceBitset() };
      host.runs.push(run);
    }
    if (sequence < run.low) run.low = sequence;
    if (sequence > run.high) run.high = sequence;
    const runHigh = counts.runHighs.get(run.id);
    if (runHigh === undefined || sequence > runHigh) counts.runHighs.set(run.id, sequence);
    // Below the run's floor a number was forgotten: it cannot be told from a duplicate, and was
    // counted lost long ago, so it is late.
    const forgotten = sequence < run.seen.floor;
    const isNew = !forgotten && run.seen.add(sequence);
    if (!forgotten && !isNew) counts.duplicate++;
    if (ownHour < hourStart || forgotten || (isNew && run.accounted !== null && sequence <= run.accounted)) counts.late++;
    return reset;
  }

  /** The run a number continues, or undefined when it starts a new one (a restart, or the host's first). */
  #runOf(host: HostState, s: number): Run | undefined {
    const current = host.runs.at(-1);
    if (current === undefined) return undefined;
    const previous = host.runs.at(-2);
    const inRange = (run: Run) => s >= run.low && s <= run.high && s >= run.seen.floor;
    // A number of the run's range it has not seen, in an hour still open: a straggler.
    const fillsHole = (run: Run) => inRange(run) && !run.seen.has(s) && (run.accounted === null || s > run.accounted);
    if (s >= current.high) {
      // A straggler of the run before a restart fills its hole there, not a gap in the new run.
      if (previous !== undefined && fillsHole(previous)) return previous;
      return s - current.high > this.#rule.jump ? undefined : current;
    }
    if (fillsHole(current)) return current;
    if (previous !== undefined && fillsHole(previous)) return previous;
    // A number of the run's range it has not seen, whose hour has closed: late, not a restart.
    if (inRange(current) && !current.seen.has(s)) return current;
    return current.high - s > this.#rule.drop && s <= this.#rule.below ? undefined : current;
  }

  /** Closes every host's hours that start before `hourStart`, returning their rows (by hour, then host). */
  closeBefore(hourStart: number): SequenceStatsRow[] {
    const rows: SequenceStatsRow[] = [];
    for (const [hostname, host] of this.#hosts) {
      const closing = [...host.hours.keys()].filter((h) => h < hourStart).sort((a, b) => a - b);
      for (const h of closing) {
        rows.push(this.#close(hostname, host, h));
        host.hours.delete(h);
      }
      this.#forget(host);
      if (host.hours.size === 0 && host.runs.length === 0) this.#hosts.delete(hostname);
    }
    if (hourStart > this.#closedThrough) this.#closedThrough = hourStart;
    return rows.sort((a, b) => a.hour_start - b.hour_start || (a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0));
  }

  /** The end of the last open hour (where closing everything stops), or the closed-through hour. */
  get openThrough(): number {
    let end = this.#closedThrough;
    for (const host of this.#hosts.values()) for (const h of host.hours.keys()) if (h + HOUR_MS > end) end = h + HOUR_MS;
    return end;
  }

  #close(hostname: string, host: HostState, hourStart: number): SequenceStatsRow {
    const counts = host.hours.get(hourStart)!;
    let expected = 0;
    let lost = 0;
    for (const [id, high] of [...counts.runHighs].sort((a, b) => a[0] - b[0])) {
      const run = host.runs.find((r) => r.id === id);
      if (run === undefined) continue;
      const from = run.accounted ?? run.low - 1;
      if (high <= from) continue;
      expected += high - from;
      lost += high - from - run.seen.countBetween(from + 1, high);
      // Keep the numbers of the hour closing now, to tell a late duplicate from a late arrival.
      run.seen.dropBelow(from + 1);
      run.accounted = high;
    }
    return statsRowOf(hostname, hourStart, counts, expected, lost);
  }

  /** Runs before the current one are forgotten once no open hour counts them. */
  #forget(host: HostState): void {
    for (let i = host.runs.length - 2; i >= 0; i--) {
      const id = host.runs[i]!.id;
      let open = false;
      for (const counts of host.hours.values()) if (counts.runHighs.has(id)) open = true;
      if (!open && i < host.runs.length - 2) host.runs.splice(i, 1);
    }
  }

  #host(hostname: string): HostState {
    let host = this.#hosts.get(hostname);
    if (host === undefined) this.#hosts.set(hostname, (host = { runs: [], nextRunId: 0, hours: new Map() }));
    return host;
  }

  toJSON(): SequenceLedgerState {
    const hosts: SequenceLedgerState['hosts'] = {};
    for (const [name, host] of this.#hosts) {
      hosts[name] = {
        nextRunId: host.nextRunId,
        runs: host.runs.map((r) => ({ id: r.id, low: r.low, high: r.high, accounted: r.accounted, seen: r.seen.toJSON() })),
        hours: [...host.hours].map(([h, c]) => [h, { ...c, runHighs: [...c.runHighs] }]),
      };
    }
    return { closedThrough: this.#closedThrough, hosts };
  }

  /** A ledger from its saved form; `rule` may differ from the one it was saved under. */
  static fromJSON(state: SequenceLedgerState, rule: SequenceResetRule): SequenceLedger {
    const ledger = new SequenceLedger(rule);
    ledger.#closedThrough = state.closedThrough;
    for (const [name, saved] of Object.entries(state.hosts)) {
      ledger.#hosts.set(name, {
        nextRunId: saved.nextRunId,
        runs: saved.runs.map((r) => ({ id: r.id, low: r.low, high: r.high, accounted: r.accounted, seen: SequenceBitset.fromJSON(r.seen) })),
        hours: new Map(saved.hours.map(([h, c]) => [h, { ...c, runHighs: new Map(c.runHighs) }])),
      });
    }
    return ledger;
  }
}
