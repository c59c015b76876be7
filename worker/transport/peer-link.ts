/**
 * The way out to one peer worker: one TCP connection, tuples sent in batches only as far as the
 * peer has granted credit, acks sent at once (they need no credit, so acking can never wait on
 * a full peer). A connection that fails is made again with backoff; tuples that were waiting
 * for it fail with the reason, so their spouts replay them. Tuples already sent when it broke
 * are the peer's: if they never arrived, their trees time out and are replayed.
 */
import { connect, type Socket } from 'node:net';
import { type FailReason, type Logger, type Throttled, type WireAck, type WireTuple, encodeAckBatch, encodeTupleBatch } from '../../core/index.js';
import { FrameReader, frame } from './frames.js';

export interface PeerLinkOptions {
  readonly self: string;
  readonly peer: string;
  readonly address: () => { readonly host: string; readonly port: number } | undefined;
  /** Tuples waiting for credit or a connection, at most; past it they fail. */
  readonly maxQueued: number;
  readonly batchTuples: number;
  /** Fails a tuple that cannot be sent: its roots hear the reason. */
  readonly failTuple: (tuple: WireTuple, reason: FailReason) => void;
  readonly logger: Logger;
  /** Delay before reconnect attempt n (1-based), in ms. */
  readonly backoffMs: (attempt: number) => number;
  /** Asks the runtime for a scheduling round (producers were released). */
  readonly wake: () => void;
}

export class PeerLink {
  readonly #o: PeerLinkOptions;
  #socket: Socket | undefined;
  #connected = false;
  #closed = false;
  #attempt = 0;
  #credit = 0;
  #tuples: WireTuple[] = [];
  #acks: WireAck[] = [];
  #scheduled = false;
  #timer: NodeJS.Timeout | undefined;
  /**
   * Per task of the peer: the tuples waiting for it, the local executors that emit towards it,
   * and whether they are throttled. A producer is throttled only by the tasks it feeds, never by
   * a way that is full of tuples for others: refined, which may emit an error to the other worker,
   * must not wait on that worker's refine, which waits on refined.
   */
  readonly #tasks = new Map<number, { queued: number; producers: Set<Throttled>; throttling: boolean }>();
  /** The most tuples ever waiting, for tests and metrics. */
  highWater = 0;
  /** Tuples and frames sent, for metrics and tests. */
  sentTuples = 0;
  sentFrames = 0;
  sentBytes = 0;
  /** Unanchored tuples that could not be sent (at-most-once): lost, and counted. */
  droppedUnanchored = 0;

  constructor(options: PeerLinkOptions) {
    this.#o = options;
    this.#connect();
  }

  /** True while connected and granted credit by the peer. */
  get connected(): boolean {
    return this.#connected;
  }

  /** Tuples waiting to be sent. */
  get queued(): number {
    return this.#tuples.length;
  }

  /** How full the way to the peer is for `task`, 0 to 1 (the whole way without a task). */
  load(task?: number): number {
    const queued = task === undefined ? this.#tuples.length : (this.#tasks.get(task)?.queued ?? 0);
    return Math.min(1, queued / this.#o.maxQueued);
  }

  /** An executor that emits towards `task` of the peer, to throttle while its tuples fill the way. */
  addProducer(producer: Throttled, task: number): void {
    const t = this.#task(task);
    if (t.producers.has(producer)) return;
    t.producers.add(producer);
    if (t.throttling) producer.blockedBy++;
  }

  #task(task: number): { queued: number; producers: Set<Throttled>; throttling: boolean } {
    let t = this.#tasks.get(task);
    if (t === undefined) this.#tasks.set(task, (t = { queued: 0, producers: new Set(), throttling: false }));
    return t;
  }

  sendTuple(tuple: WireTuple): void {
    // Producers stop at half; an execute that fans out may overshoot, up to the hard bound.
    if (this.#tuples.length >= this.#o.maxQueued) {
      this.#refuse(tuple, `the way to worker ${this.#o.peer} is full (${this.#o.maxQueued} tuples waiting)`);
      return;
    }
    this.#tuples.push(tuple);
    if (this.#tuples.length > this.highWater) this.highWater = this.#tuples.length;
    const t = this.#task(tuple.dest);
    t.queued++;
    this.#throttle(t);
    this.#schedule();
  }

  /** Throttles a task's producers at half the bound of tuples waiting for it, and releases them at a quarter. */
  #throttle(t: { queued: number; producers: Set<Throttled>; throttling: boolean }): void {
    if (!t.throttling && t.queued >= this.#o.maxQueued / 2) {
      t.throttling = true;
      for (const p of t.producers) p.blockedBy++;
    } else if (t.throttling && t.queued <= this.#o.maxQueued / 4) {
      t.throttling = false;
      for (const p of t.producers) p.blockedBy--;
      this.#o.wake();
    }
  }

  /** Counts tuples that left the queue (sent or refused) off their tasks. */
  #dequeued(tuples: readonly WireTuple[]): void {
    const touched = new Set<{ queued: number; producers: Set<Throttled>; throttling: boolean }>();
    for (const tuple of tuples) {
      const t = this.#tasks.get(tuple.dest);
      if (t === undefined) continue;
      t.queued--;
      touched.add(t);
    }
    for (const t of touched) this.#throttle(t);
  }

  sendAck(ack: WireAck): void {
    this.#acks.push(ack);
    this.#schedule();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#socket?.destroy();
    this.#failQueued('the worker is stopping');
  }

  #schedule(): void {
    if (this.#scheduled || !this.#connected) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#flush();
    });
  }

  #flush(): void {
    const socket = this.#socket;
    if (!this.#connected || socket === undefined) return;
    if (this.#acks.length > 0) {
      this.#write(socket, frame('acks', encodeAckBatch(this.#acks)));
      this.#acks = [];
    }
    while (this.#credit > 0 && this.#tuples.length > 0) {
      const n = Math.min(this.#credit, this.#o.batchTuples, this.#tuples.length);
      const batch = this.#tuples.splice(0, n);
      this.#credit -= n;
      this.sentTuples += n;
      this.#write(socket, frame('tuples', encodeTupleBatch(batch)));
      this.#dequeued(batch);
    }
  }

  #write(socket: Socket, bytes: Buffer): void {
    this.sentFrames++;
    this.sentBytes += bytes.length;
    socket.write(bytes);
  }

  #connect(): void {
    if (this.#closed) return;
    const address = this.#o.address();
    if (address === undefined) {
      this.#retry(`worker ${this.#o.peer} has no known address`);
      return;
    }
    const socket = connect({ host: address.host, port: address.port });
    this.#socket = socket;
    const reader = new FrameReader();
    socket.setNoDelay(true);
    socket.on('connect', () => {
      socket.write(frame('hello', Buffer.from(this.#o.self)));
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const f of reader.push(chunk)) {
          if (f.type !== 'credit') continue;
          this.#credit += f.body.readUInt32BE(0);
          if (!this.#connected) {
            this.#connected = true;
            this.#attempt = 0;
            this.#o.logger.debug(`connected to worker ${this.#o.peer}`, { host: address.host, port: address.port });
          }
          this.#schedule();
        }
      } catch (error) {
        socket.destroy(error as Error);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      if (this.#socket !== socket) return;
      const was = this.#connected;
      this.#connected = false;
      this.#credit = 0;
      this.#socket = undefined;
      this.#failQueued(was ? `the connection to worker ${this.#o.peer} closed` : `cannot connect to worker ${this.#o.peer} at ${address.host}:${address.port}`);
      this.#retry(was ? 'connection closed' : 'connect failed');
    });
  }

  #retry(why: string): void {
    if (this.#closed) return;
    this.#attempt++;
    const delay = this.#o.backoffMs(this.#attempt);
    if (this.#attempt === 1 || this.#attempt % 10 === 0) this.#o.logger.info(`worker ${this.#o.peer}: ${why}; connecting again in ${delay} ms`, { attempt: this.#attempt });
    this.#timer = setTimeout(() => this.#connect(), delay);
    this.#timer.unref();
  }

  #failQueued(why: string): void {
    const tuples = this.#tuples;
    this.#tuples = [];
    this.#acks = [];
    this.#dequeued(tuples);
    if (tuples.length === 0) return;
    for (const t of tuples) this.#refuse(t, why);
  }

  /**
   * A tuple that cannot be sent: an anchored one fails (its spout replays it); an unanchored one
   * (at-most-once) is lost, and that is counted and said.
   */
  #refuse(tuple: WireTuple, why: string): void {
    if (tuple.roots.length > 0) {
      this.#o.failTuple(tuple, this.#reason(why));
      return;
    }
    this.droppedUnanchored++;
    if (this.droppedUnanchored === 1 || this.droppedUnanchored % 1000 === 0) this.#o.logger.warn(`${why}: ${this.droppedUnanchored} unanchored tuples dropped so far (emitted without an anchor, so no spout replays them)`);
  }

  #reason(message: string): FailReason {
    return { kind: 'error', component: '__transport', task: -1, message: `${message}; the tuple is replayed by its spout`, code: 'SQUALL_ERR_TRANSPORT' };
  }

  /** For logs. */
  toString(): string {
    return `link ${this.#o.self} -> ${this.#o.peer}`;
  }
}

