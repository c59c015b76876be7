/**
 * Tuples and acks between worker processes over TCP: length-prefixed frames of msgpackr
 * batches (see frames.ts), one connection per ordered pair of workers, and credit-based flow
 * control. A receiver grants each sender `credit` tuples at first, and grants the tuples of a
 * batch again only once its runtime has room (its inboxes below half), so a slow worker slows
 * the workers that feed it instead of growing their memory or its own.
 *
 * @example
 * ```ts
 * const transport = new WorkerTransport({ self: 'sup-1:6700', workerOfTask, addressOf });
 * await transport.listen({ port: 6700 });
 * const runtime = new TopologyRuntime({ topology, hosted, remoteEndpoint: (t) => transport.endpoint(t), remoteAcks: transport.acks() });
 * transport.attach(runtime);
 * ```
 */
import { createServer, type Server, type Socket } from 'node:net';
import {
  type AckRoute,
  type Counter,
  type FailReason,
  type MetricGroup,
  type Logger,
  type RemoteEndpoint,
  type WireAck,
  type WireTuple,
  decodeAckBatch,
  decodeTupleBatch,
  messageOf,
  nullLogger,
} from '../../core/index.js';
import { FrameReader, creditFrame } from './frames.js';
import { PeerLink } from './peer-link.js';

/** What the transport needs of the runtime it serves. */
export interface TransportRuntime {
  deliver(tuples: readonly WireTuple[]): void;
  deliverAcks(acks: readonly WireAck[]): void;
  /** True when the inboxes of `tasks` have room: credit for tuples delivered to them can go back. */
  hasRoomFor(tasks: ReadonlySet<number>): boolean;
  wake(): void;
  readonly ackRoute: AckRoute;
}

export interface WorkerTransportOptions {
  /** This worker's id. */
  readonly self: string;
  /** The worker hosting a task. */
  readonly workerOfTask: (task: number) => string;
  /** Where a worker listens; undefined while it is not known. */
  readonly addressOf: (worker: string) => { readonly host: string; readonly port: number } | undefined;
  /** Tuples a receiver grants each sender before any has been delivered. @default 2048 */
  readonly credit?: number;
  /** Most tuples in one frame. @default 256 */
  readonly batchTuples?: number;
  /** Tuples waiting per peer, at most; past it they fail and are replayed. @default 8192 */
  readonly maxQueued?: number;
  readonly logger?: Logger;
  /** Where the per-peer counters go (labelled `peer` with the other worker's id). */
  readonly metrics?: MetricGroup;
}

const DEFAULTS = Object.freeze({ credit: 2048, batchTuples: 256, maxQueued: 8192 });

export class WorkerTransport {
  readonly #o: WorkerTransportOptions;
  readonly #credit: number;
  readonly #links = new Map<string, PeerLink>();
  readonly #inbound = new Set<Socket>();
  readonly #logger: Logger;
  #server: Server | undefined;
  #runtime: TransportRuntime | undefined;
  /**
   * Credit owed to each inbound connection, and the tasks its tuples went to: granted once their
   * inboxes have room. Only their own: a full inbox elsewhere in this worker must not hold back
   * tuples for a task that keeps up, or two workers feeding each other can wait on each other.
   */
  readonly #owed = new Map<Socket, { count: number; tasks: Set<number> }>();
  #grantTimer: NodeJS.Timeout | undefined;
  receivedTuples = 0;

  constructor(options: WorkerTransportOptions) {
    this.#o = options;
    this.#credit = options.credit ?? DEFAULTS.credit;
    this.#logger = (options.logger ?? nullLogger).child('transport', { worker: options.self });
  }

  /** Listens for peers; resolves with the port (0 picks a free one). */
  listen(options: { host?: string; port: number }): Promise<number> {
    const server = createServer((socket) => this.#accept(socket));
    this.#server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host ?? '127.0.0.1', () => resolve((server.address() as { port: number }).port));
    });
  }

  /** The runtime that inbound tuples and acks go to. */
  attach(runtime: TransportRuntime): void {
    this.#runtime = runtime;
  }

  /** The endpoint of a task hosted by another worker: for the runtime's `remoteEndpoint`. */
  endpoint(task: number): RemoteEndpoint {
    const link = this.#link(this.#o.workerOfTask(task));
    return { push: (tuple) => link.sendTuple(tuple), load: () => link.load(task), addProducer: (p) => link.addProducer(p, task) };
  }

  /** Acks and fails for roots held by other workers: for the runtime's `remoteAcks`. */
  acks(): AckRoute {
    return {
      ack: (rootTask, rootId, hi, lo) => this.#link(this.#o.workerOfTask(rootTask)).sendAck({ kind: 'ack', rootTask, rootId, hi, lo }),
      fail: (rootTask, rootId, reason) => this.#link(this.#o.workerOfTask(rootTask)).sendAck({ kind: 'fail', rootTask, rootId, reason }),
    };
  }

  /**
   * Resolves true once every peer this worker sends to is connected, or false at the deadline.
   * A worker waits for this before its spouts start, as Storm's workers wait for their
   * connections, so that the first tuples do not fail on a peer that is still starting.
   */
  async untilConnected(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while ([...this.#links.values()].some((l) => !l.connected)) {
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return true;
  }

  /** Tuples waiting to be sent, over all peers. */
  get queued(): number {
    let n = 0;
    for (const l of this.#links.values()) n += l.queued;
    return n;
  }

  /** Links to peers, for metrics. */
  links(): ReadonlyMap<string, PeerLink> {
    return this.#links;
  }

  /** Drops every inbound connection, as a network fault would (peers reconnect). For tests and drills. */
  dropInbound(): void {
    for (const s of this.#inbound) s.destroy();
  }

  async close(): Promise<void> {
    clearTimeout(this.#grantTimer);
    for (const l of this.#links.values()) l.close();
    for (const s of this.#inbound) s.destroy();
    await new Promise<void>((resolve) => (this.#server === undefined ? resolve() : this.#server.close(() => resolve())));
  }

  #link(worker: string): PeerLink {
    let link = this.#links.get(worker);
    if (link === undefined) {
      link = new PeerLink({
        self: this.#o.self,
        peer: worker,
        address: () => this.#o.addressOf(worker),
        maxQueued: this.#o.maxQueued ?? DEFAULTS.maxQueued,
        batchTuples: this.#o.batchTuples ?? DEFAULTS.batchTuples,
        failTuple: (tuple, reason) => this.#failTuple(tuple, reason),
        logger: this.#logger,
        backoffMs: (attempt) => Math.min(5_000, 50 * 2 ** (attempt - 1)),
        wake: () => this.#runtime?.wake(),
      });
      this.#links.set(worker, link);
      this.#countLink(worker, link);
    }
    return link;
  }

  #countLink(peer: string, link: PeerLink): void {
    const m = this.#o.metrics;
    if (m === undefined) return;
    const l = { peer };
    m.counterFrom('transport_sent_bytes_total', 'Bytes sent to a peer worker', l, () => link.sentBytes);
    m.counterFrom('transport_sent_batches_total', 'Frames (tuple and ack batches) sent to a peer worker', l, () => link.sentFrames);
    m.counterFrom('transport_sent_tuples_total', 'Tuples sent to a peer worker', l, () => link.sentTuples);
    m.gauge('transport_send_queue', 'Tuples waiting for credit or a connection to a peer worker', l, () => link.queued);
  }

  /** Counters of what came from `peer`: a worker id of the assignment, else 'unknown' (the id comes off the network). */
  #received(peer: string): { bytes: Counter; batches: Counter } | undefined {
    const m = this.#o.metrics;
    if (m === undefined) return undefined;
    const l = { peer: this.#o.addressOf(peer) === undefined ? 'unknown' : peer };
    return { bytes: m.counter('transport_received_bytes_total', 'Bytes received from a peer worker', l), batches: m.counter('transport_received_batches_total', 'Frames (tuple and ack batches) received from a peer worker', l) };
  }

  /** A tuple that could not be sent fails for each of its roots, so their spouts replay it. */
  #failTuple(tuple: WireTuple, reason: FailReason): void {
    const route = this.#runtime?.ackRoute;
    if (route === undefined) return;
    const roots = tuple.roots;
    for (let i = 0; i + 3 < roots.length; i += 4) route.fail(roots[i]!, roots[i + 1]!, reason);
  }

  #accept(socket: Socket): void {
    this.#inbound.add(socket);
    socket.setNoDelay(true);
    const reader = new FrameReader();
    let peer = '?';
    let received: { bytes: Counter; batches: Counter } | undefined;
    socket.on('data', (chunk: Buffer) => {
      if (received !== undefined) received.bytes.value += chunk.length;
      try {
        for (const f of reader.push(chunk)) {
          if (received !== undefined && f.type !== 'hello') received.batches.value++;
          if (f.type === 'hello') {
            peer = f.body.toString('utf8');
            received = this.#received(peer);
            socket.write(creditFrame(this.#credit));
          } else if (f.type === 'tuples') {
            const tuples = decodeTupleBatch(f.body);
            this.receivedTuples += tuples.length;
            this.#runtime!.deliver(tuples);
            this.#owe(socket, tuples);
          } else if (f.type === 'acks') {
            this.#runtime!.deliverAcks(decodeAckBatch(f.body));
          }
        }
      } catch (error) {
        this.#logger.warn(`dropping the connection from worker ${peer}: ${messageOf(error)}`);
        socket.destroy();
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.#inbound.delete(socket);
      this.#owed.delete(socket);
    });
  }

  /** Grants a sender back the credit of tuples delivered, once the inboxes they went to have room. */
  #owe(socket: Socket, tuples: readonly WireTuple[]): void {
    let owed = this.#owed.get(socket);
    if (owed === undefined) this.#owed.set(socket, (owed = { count: 0, tasks: new Set() }));
    owed.count += tuples.length;
    for (const t of tuples) owed.tasks.add(t.dest);
    this.#grant();
  }

  #grant(): void {
    for (const [socket, owed] of this.#owed) {
      if (socket.destroyed) this.#owed.delete(socket);
      else if (this.#runtime?.hasRoomFor(owed.tasks) === true) {
        socket.write(creditFrame(owed.count));
        this.#owed.delete(socket);
      }
    }
    // Room comes as the runtime executes: look again shortly, while anything is owed.
    if (this.#owed.size > 0) {
      this.#grantTimer ??= setTimeout(() => {
        this.#grantTimer = undefined;
        this.#grant();
      }, 5);
    }
  }
}
