/**
 * Nimbus's `/api/v1` over a local run (`nimbus local --ui`): the same calls and shapes as a
 * cluster's, so `nimbus monitor`, the web UI and scripts work against either. Local mode is one
 * "supervisor" with one "worker" (this process). Changes need the token, as on a cluster;
 * rebalance is refused (there are no workers to move tasks between).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Logger, type TopologyRuntime, taskSnapshot } from '../../core/index.js';
import { HttpError, answerError, authorizeBearer, body, send, window } from '../daemon/http-common.js';
import { type ComponentShape, componentDetail, componentRows, topologyStats } from '../stats/component-rows.js';
import { StatsHistory } from '../stats/stats-history.js';
import type { LocalCluster } from './local-cluster.js';

export interface LocalApiOptions {
  readonly cluster: LocalCluster;
  readonly token: string;
  readonly logger: Logger;
  readonly version: string;
  /** The port the UI listens on, shown as the Nimbus's. */
  readonly port: () => number;
}

const STARTED = Date.now();

function shapesOf(runtime: TopologyRuntime): ComponentShape[] {
  return runtime.topology.components.map((c) => ({ id: c.id, kind: c.kind, executors: runtime.layout.executors.filter((e) => e.component.id === c.id).length, tasks: c.tasks, inputs: c.inputs.map((i) => ({ from: i.from, stream: i.stream })) }));
}

export class LocalApi {
  readonly #o: LocalApiOptions;
  readonly #history = new StatsHistory();
  readonly #started = new Map<string, number>();
  readonly #active = new Map<string, boolean>();
  readonly #timer: NodeJS.Timeout;

  constructor(options: LocalApiOptions) {
    this.#o = options;
    // Windows and current rates need regular snapshots, whether or not anyone is looking.
    this.#timer = setInterval(() => this.#sampleAll(), 1_000).unref();
  }

  close(): void {
    clearInterval(this.#timer);
  }

  readonly handler = (req: IncomingMessage, res: ServerResponse): void => {
    void this.#route(req, res).catch((error: unknown) => answerError(req, res, error, { SQUALL_ERR_UNKNOWN_COMPONENT: 404 }, this.#o.logger));
  };

  #runtime(name: string): TopologyRuntime {
    const runtime = this.#o.cluster.get(name);
    if (runtime === undefined) throw new HttpError(404, `no topology '${name}' runs here (running: ${this.#o.cluster.list().join(', ') || 'none'})`, 'SQUALL_ERR_NOT_FOUND');
    return runtime;
  }

  #sample(name: string) {
    if (!this.#started.has(name)) this.#started.set(name, Date.now());
    const history = this.#history.of(name);
    history.feed([{ worker: 'local', startedAt: this.#started.get(name)!, tasks: taskSnapshot(this.#o.cluster.metrics, name) }], Date.now());
    return history;
  }

  #sampleAll(): void {
    const names = this.#o.cluster.list();
    for (const name of names) this.#sample(name);
    this.#history.retain(new Set(names));
  }

  #status(name: string): string {
    return this.#active.get(name) === false ? 'INACTIVE' : 'ACTIVE';
  }

  #summary(name: string) {
    const r = this.#runtime(name);
    return { id: name, name, status: this.#status(name), uptimeSeconds: Math.round((Date.now() - (this.#started.get(name) ?? Date.now())) / 1000), tasksTotal: r.layout.componentOfTask.size, workersTotal: 1, executorsTotal: r.layout.executors.length, epoch: 0 };
  }

  async #route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    const parts = url.pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
    if (parts[0] !== 'api' || parts[1] !== 'v1') throw new HttpError(404, `no such call: ${req.method} ${url.pathname} (the API is under /api/v1)`);
    const [what, arg, action, extra] = parts.slice(2);
    const names = this.#o.cluster.list();
    if (req.method === 'GET') {
      if (what === 'cluster' && arg === 'summary') {
        const tasks = names.reduce((n, t) => n + this.#runtime(t).layout.componentOfTask.size, 0);
        return send(res, 200, { stormVersion: this.#o.version, squallVersion: this.#o.version, mode: 'local', supervisors: 1, topologies: names.length, slotsTotal: 1, slotsUsed: names.length > 0 ? 1 : 0, slotsFree: names.length > 0 ? 0 : 1, executorsTotal: names.reduce((n, t) => n + this.#runtime(t).layout.executors.length, 0), tasksTotal: tasks });
      }
      if (what === 'nimbus' && arg === 'summary') return send(res, 200, { nimbuses: [{ host: '127.0.0.1', port: this.#o.port(), status: 'Leader', nimbusUpTimeSeconds: Math.round((Date.now() - STARTED) / 1000), version: this.#o.version }] });
      if (what === 'supervisor' && arg === 'summary') return send(res, 200, { supervisors: [{ id: 'local', host: 'localhost', uptimeSeconds: Math.round((Date.now() - STARTED) / 1000), slotsTotal: 1, slotsUsed: names.length > 0 ? 1 : 0, slots: [0], used: names.map((topologyId) => ({ port: 0, topologyId })) }] });
      if (what === 'topology' && arg === 'summary') return send(res, 200, { topologies: names.map((n) => this.#summary(n)) });
      if (what === 'topology' && arg !== undefined) {
        const runtime = this.#runtime(arg);
        const history = this.#sample(arg);
        const shapes = shapesOf(runtime);
        const errors = runtime.lastErrors();
        const lastOf = (c: string) => {
          const e = errors.get(c)?.at(-1);
          return e === undefined ? undefined : { lastError: e.message, errorTime: e.time, errorWorker: 'local' };
        };
        if (action === undefined) {
          const w = window(url);
          const rows = componentRows(history, shapes, w, new Map(shapes.flatMap((c) => (lastOf(c.id) === undefined ? [] : [[c.id, lastOf(c.id)!] as const]))));
          return send(res, 200, { ...this.#summary(arg), window: w, msgTimeout: Math.round(runtime.config.messageTimeoutMs / 1000), workersWanted: 1, topologyStats: topologyStats(history, shapes), workers: [{ supervisorId: 'local', host: 'localhost', port: 0, executors: runtime.layout.executors.map((e) => e.id), running: true, lastBeatSecondsAgo: 0, metrics: null }], ...rows, graph: shapes.map((c) => ({ id: c.id, kind: c.kind, inputs: c.inputs })) });
        }
        if (action === 'component' && extra !== undefined) {
          const shape = shapes.find((c) => c.id === extra);
          if (shape === undefined) throw new HttpError(404, `topology '${arg}' has no component '${extra}' (it has ${shapes.map((c) => c.id).join(', ')})`, 'SQUALL_ERR_NOT_FOUND');
          const componentErrors = (errors.get(extra) ?? []).slice(-10).map((e) => ({ component: e.component, task: e.task, worker: 'local', message: e.message, time: e.time }));
          return send(res, 200, { topologyId: arg, name: arg, window: window(url), ...componentDetail(history, shape, window(url), lastOf(extra)), componentErrors });
        }
        if (action === 'errors') return send(res, 200, { id: arg, name: arg, components: Object.fromEntries([...errors].map(([c, list]) => [c, list.map((e) => ({ component: e.component, task: e.task, worker: 'local', message: e.message, time: e.time }))])) });
      }
      throw new HttpError(404, `no such call: GET ${url.pathname}`);
    }
    if (req.method !== 'POST') throw new HttpError(405, `${req.method} is not a call of this API: reads are GET, changes POST`);
    authorizeBearer(req, this.#o.token);
    await body(req);
    if (what === 'topology' && arg !== undefined) {
      const runtime = this.#runtime(arg);
      if (action === 'activate' || action === 'deactivate') {
        await runtime.setActive(action === 'activate');
        this.#active.set(arg, action === 'activate');
        return send(res, 200, { id: arg, name: arg, status: this.#status(arg) });
      }
      if (action === 'kill') {
        const wait = Number(extra ?? 0);
        setTimeout(() => void this.#o.cluster.kill(arg).catch(() => {}), Math.max(0, wait) * 1000).unref();
        return send(res, 200, { id: arg, name: arg, status: 'KILLED', removeAt: Date.now() + Math.max(0, wait) * 1000 });
      }
      if (action === 'rebalance') throw new HttpError(409, 'local mode runs every executor in this process: there is nothing to rebalance', 'SQUALL_ERR_BAD_REQUEST');
    }
    throw new HttpError(404, `no such call: POST ${url.pathname}`);
  }
}
