/**
 * Leader election, ZooKeeper's recipe (Curator's LeaderLatch): each candidate creates an
 * ephemeral sequential node under the election path; the candidate with the lowest number
 * leads. Each watches only the node just before its own, so a leader's death wakes one
 * candidate, not all of them.
 *
 * A candidate whose session expires stops leading at once, before anything else: `leading`
 * emits false the moment the session is lost, then completes. Its node is gone with the
 * session, so another candidate already leads or soon will.
 *
 * @example
 * ```ts
 * const latch = await LeaderLatch.join(zk, '/squall/leader-lock', 'nimbus-127.0.0.1:6627');
 * latch.leading.subscribe((leader) => (leader ? startScheduling() : stopScheduling()));
 * ```
 */
import { BehaviorSubject, type Observable, distinctUntilChanged, firstValueFrom, filter } from 'rxjs';
import { type ZkSession, ZkErrorCodes, isZkError } from './zk-session.js';

const PREFIX = 'latch-';

export class LeaderLatch {
  readonly #zk: ZkSession;
  readonly #path: string;
  readonly #node: string;
  readonly #leading = new BehaviorSubject<boolean>(false);
  #closed = false;
  /** Whether this candidate leads, as it changes. */
  readonly leading: Observable<boolean> = this.#leading.pipe(distinctUntilChanged());

  private constructor(zk: ZkSession, path: string, node: string) {
    this.#zk = zk;
    this.#path = path;
    this.#node = node;
    zk.expired.subscribe(() => this.#lose());
  }

  /** Joins the election at `path` as `id` (written in the candidate's node, for who-leads queries). */
  static async join(zk: ZkSession, path: string, id: string): Promise<LeaderLatch> {
    await zk.mkdirp(path);
    const created = await zk.create(`${path}/${PREFIX}`, Buffer.from(id), 'ephemeral-sequential');
    const latch = new LeaderLatch(zk, path, created.slice(path.length + 1));
    await latch.#check();
    return latch;
  }

  /** True while this candidate leads. */
  get isLeader(): boolean {
    return this.#leading.value;
  }

  /** Resolves once this candidate leads. */
  async untilLeader(): Promise<void> {
    await firstValueFrom(this.#leading.pipe(filter((v) => v)));
  }

  /** The id of the candidate that leads now, or undefined when there is none. */
  static async leader(zk: ZkSession, path: string): Promise<string | undefined> {
    for (const node of sorted(await zk.children(path))) {
      const data = await zk.get(`${path}/${node}`);
      if (data !== undefined) return data.data.toString('utf8');
    }
    return undefined;
  }

  /** Leaves the election: stops leading and removes its node. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#lose();
    await this.#zk.remove(`${this.#path}/${this.#node}`).catch(() => {});
  }

  #lose(): void {
    if (this.#leading.value) this.#leading.next(false);
    this.#leading.complete();
  }

  async #check(): Promise<void> {
    if (this.#closed || this.#leading.closed) return;
    const nodes = sorted(await this.#zk.children(this.#path));
    const mine = nodes.indexOf(this.#node);
    if (mine < 0) {
      // Our node is gone without an expiry we saw (removed by hand): we cannot lead.
      this.#lose();
      return;
    }
    if (mine === 0) {
      this.#leading.next(true);
      return;
    }
    // Watch only the node just before ours; when it goes, look again.
    const before = `${this.#path}/${nodes[mine - 1]}`;
    const watch = this.#zk.watchData(before).subscribe({
      next: (node) => {
        if (node !== undefined) return;
        watch.unsubscribe();
        void this.#check().catch(() => this.#lose());
      },
      error: (error: unknown) => {
        if (!isZkError(error, ZkErrorCodes.SESSION_EXPIRED)) void this.#check().catch(() => this.#lose());
      },
    });
  }
}

/** Candidates' nodes in election order. */
function sorted(nodes: readonly string[]): string[] {
  return nodes.filter((n) => n.startsWith(PREFIX)).sort((a, b) => Number(a.slice(PREFIX.length)) - Number(b.slice(PREFIX.length)));
}
