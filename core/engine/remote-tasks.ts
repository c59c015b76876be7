/**
 * What a runtime that hosts only some of a topology's executors (a cluster worker) needs for
 * the others: an endpoint for every task it does not host, an ack route to the runtimes whose
 * spout tasks own the roots, and the way in for tuples and acks that arrive from them.
 */
import { ErrorCodes, SquallError } from '../errors.js';
import { numberRuns } from '../number-runs.js';
import type { FailReason } from '../tuple.js';
import type { Acker } from './acker.js';
import type { AckRoute } from './host.js';
import type { ExecutorLayout, TopologyLayout } from './layout.js';
import type { TupleEndpoint } from './task-output.js';
import { type StreamSchema, TupleImpl } from './tuple-impl.js';
import { toWireTuple, type WireAck, type WireTuple } from './wire-codec.js';

/** Something a full way downstream throttles: the engine stops running it while `blockedBy > 0`. */
export interface Throttled {
  blockedBy: number;
}

/** Where tuples for a task hosted elsewhere go: a transport to the runtime hosting it. */
export interface RemoteEndpoint {
  /** Sends one tuple, in its wire form. Batching is the transport's business. */
  push(tuple: WireTuple): void;
  /** How full the way to the task is, 0 to 1, for load-aware shuffle. */
  load(): number;
  /**
   * Registers an executor that emits to the task: while the way is full the transport raises
   * its `blockedBy` (and lowers it, then wakes the runtime, once it drains), as a full local
   * queue does. Optional: a transport without it bounds memory by failing what it cannot take.
   */
  addProducer?(producer: Throttled): void;
}

/** How a runtime reaches the tasks it does not host. */
export interface RemoteTaskOptions {
  /** The endpoint of a task hosted elsewhere: tuples pushed to it travel to its runtime. */
  readonly remoteEndpoint?: (task: number) => RemoteEndpoint;
  /** Acks and fails for roots of spout tasks hosted elsewhere. */
  readonly remoteAcks?: AckRoute;
}

/**
 * Checks that a runtime hosting a subset of executors can reach the rest, so that a missing
 * link fails when the runtime is made, not at the first tuple for a task elsewhere.
 */
export function checkRemoteTasks(topologyName: string, layout: TopologyLayout, hosted: readonly ExecutorLayout[], options: RemoteTaskOptions): void {
  const here = new Set(hosted.flatMap((e) => e.tasks));
  const elsewhere = [...layout.componentOfTask.keys()].filter((t) => !here.has(t)).sort((a, b) => a - b);
  if (elsewhere.length === 0) return;
  const missing = [options.remoteEndpoint === undefined ? 'remoteEndpoint' : '', options.remoteAcks === undefined ? 'remoteAcks' : ''].filter((m) => m !== '');
  if (missing.length === 0) return;
  throw new SquallError(
    ErrorCodes.INVALID_CONFIG,
    `runtime of '${topologyName}' hosts ${hosted.length} of ${layout.executors.length} executors, and tasks ${numberRuns(elsewhere, ', ')} run elsewhere, but it has no ${missing.join(' or ')} to reach them: pass both (a cluster worker's transport does), or host every executor`,
  );
}

/** A remote endpoint as the engine's routing sees it. */
export function engineEndpoint(remote: RemoteEndpoint): TupleEndpoint & Pick<RemoteEndpoint, 'addProducer'> {
  return { push: (tuple) => remote.push(toWireTuple(tuple)), load: () => remote.load(), ...(remote.addProducer === undefined ? {} : { addProducer: (p: Throttled) => remote.addProducer!(p) }) };
}

/** Routes an ack or fail to the acker holding its root: this runtime's, or another's. */
export class RoutedAcks implements AckRoute {
  readonly #acker: Acker;
  readonly #localRoots: ReadonlySet<number>;
  readonly #remote: AckRoute;

  constructor(acker: Acker, localRoots: ReadonlySet<number>, remote: AckRoute) {
    this.#acker = acker;
    this.#localRoots = localRoots;
    this.#remote = remote;
  }

  ack(rootTask: number, rootId: number, hi: number, lo: number): void {
    if (this.#localRoots.has(rootTask)) this.#acker.ack(rootId, hi, lo);
    else this.#remote.ack(rootTask, rootId, hi, lo);
  }

  fail(rootTask: number, rootId: number, reason: FailReason): void {
    if (this.#localRoots.has(rootTask)) this.#acker.fail(rootId, reason);
    else this.#remote.fail(rootTask, rootId, reason);
  }
}

/** A tuple that arrived from another runtime, rebuilt with its stream's schema and anchoring. */
export function tupleFromWire(wire: WireTuple, schema: StreamSchema): TupleImpl {
  const tuple = new TupleImpl(wire.values, schema, wire.source, wire.dest);
  const roots = wire.roots;
  if (roots.length >= 4) {
    tuple.rootTask = roots[0]!;
    tuple.rootId = roots[1]!;
    tuple.edgeHi = roots[2]!;
    tuple.edgeLo = roots[3]!;
    if (roots.length > 4) tuple.more = roots.slice(4);
  }
  return tuple;
}

/** Applies acks and fails that arrived for roots of this runtime's spout tasks. */
export function applyAcks(acker: Acker, localRoots: ReadonlySet<number>, acks: readonly WireAck[]): void {
  for (const a of acks) {
    if (!localRoots.has(a.rootTask)) {
      throw new SquallError(ErrorCodes.INVALID_EMIT, `an ack for a root of task ${a.rootTask} arrived at a runtime that does not host that spout task`);
    }
    if (a.kind === 'ack') acker.ack(a.rootId, a.hi, a.lo);
    else acker.fail(a.rootId, a.reason);
  }
}
