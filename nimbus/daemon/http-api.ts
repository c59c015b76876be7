/**
 * Nimbus's HTTP API, JSON under `/api/v1`, shaped after Storm UI's REST API where Storm has the
 * same thing (shared/specs/cluster.md). Reads are open; every call that changes the cluster needs
 * `Authorization: Bearer <token>`, and a missing or wrong token gets 401 without the token in
 * the answer. A standby Nimbus forwards changes to the leader and says so in `X-Squall-Leader`.
 *
 * | call | what |
 * |---|---|
 * | `GET /api/v1/cluster/summary` | supervisors, slots, executors, tasks |
 * | `GET /api/v1/nimbus/summary` | every live Nimbus and who leads |
 * | `GET /api/v1/supervisor/summary` | each supervisor's slots and what runs there |
 * | `GET /api/v1/topology/summary` | every topology |
 * | `GET /api/v1/topology/<name or id>?window=600\|10800\|86400\|:all-time` | one topology: stats per window, workers, spouts and bolts with counts, current rates, latencies (ms, numbers) and last errors |
 * | `GET /api/v1/topology/<name or id>/component/<id>?window=…` | one component: per window, per task, its rate over the last 10 minutes, its last errors |
 * | `GET /api/v1/topology/<name or id>/errors` | the last errors of each component |
 * | `GET /api/v1/topology/<id>/bundle` | the bundle's code |
 * | `POST /api/v1/topology` | submit `{ name, code, workers?, config? }` |
 * | `POST /api/v1/topology/<name or id>/activate`, `/deactivate` | start or pause its spouts |
 * | `POST /api/v1/topology/<name or id>/kill/<wait s>` | kill it after a wait |
 * | `POST /api/v1/topology/<name or id>/rebalance/<wait s>` | `{ workers?, executors? }` |
 */
import { type IncomingMessage, type ServerResponse, request } from 'node:http';
import { type Logger, messageOf } from '../../core/index.js';
import { ZkErrorCodes } from '../../worker/index.js';
import { DescribeErrorCodes } from './describe.js';
import { type Nimbus, NimbusErrorCodes } from './nimbus.js';
import { HttpError, answerError, authorizeBearer, body, json, send, window } from './http-common.js';
import { clusterSummary, componentPage, nimbusSummary, supervisorSummary, topologyErrors, topologyPage, topologySummary } from './views.js';

const STATUS_OF_CODE: Record<string, number> = {
  [NimbusErrorCodes.NOT_FOUND]: 404,
  [NimbusErrorCodes.NAME_TAKEN]: 409,
  [NimbusErrorCodes.NO_SLOTS]: 409,
  [NimbusErrorCodes.BAD_REQUEST]: 400,
  [NimbusErrorCodes.NOT_LEADER]: 503,
  [DescribeErrorCodes.INVALID]: 422,
  [ZkErrorCodes.CONNECT]: 503,
};

/** Set on a change a standby forwards; a Nimbus refuses to forward such a change again. */
const FORWARDED = 'x-squall-forwarded';
/** What of a change is forwarded: never other headers (cookies, proxies' additions). */
const FORWARDED_HEADERS = ['authorization', 'content-type', 'content-length'];

/** How long a forwarded change may take (a submission loads the bundle in a child process). */
const FORWARD_TIMEOUT_MS = 120_000;

export interface HttpApiOptions {
  readonly nimbus: Nimbus;
  readonly token: string;
  readonly logger: Logger;
}

/** The API's request handler, for an HTTP server: `createServer(httpApi({ nimbus, token, logger }))`. */
export function httpApi(options: HttpApiOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { nimbus, token, logger } = options;

  /** Sends a change on to the leader, once: a change forwarded to a Nimbus that does not lead is refused. */
  async function forward(req: IncomingMessage, res: ServerResponse, data: Buffer): Promise<void> {
    const leader = await nimbus.leader();
    if (leader === undefined || leader === nimbus.address || req.headers[FORWARDED] !== undefined) throw new HttpError(503, 'no Nimbus leads right now (an election is under way): retry in a few seconds', NimbusErrorCodes.NOT_LEADER);
    const headers: Record<string, string> = { [FORWARDED]: nimbus.address, host: leader };
    for (const h of FORWARDED_HEADERS) if (typeof req.headers[h] === 'string') headers[h] = req.headers[h];
    await new Promise<void>((resolve, reject) => {
      const out = request(`http://${leader}${req.url}`, { method: req.method, headers, timeout: FORWARD_TIMEOUT_MS }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, { 'content-type': answer.headers['content-type'] ?? 'application/json', 'x-squall-leader': leader });
        answer.pipe(res);
        answer.on('end', resolve);
      });
      out.on('timeout', () => out.destroy(new Error(`no answer within ${FORWARD_TIMEOUT_MS / 1000} s`)));
      out.on('error', (error) => reject(new HttpError(503, `the leader ${leader} did not answer: ${messageOf(error)}; retry in a few seconds`, NimbusErrorCodes.NOT_LEADER)));
      out.end(data);
    });
  }

  const authorize = (req: IncomingMessage) => authorizeBearer(req, token);

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://nimbus');
    const parts = url.pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
    if (parts[0] !== 'api' || parts[1] !== 'v1') throw new HttpError(404, `no such call: ${req.method} ${url.pathname} (the API is under /api/v1)`);
    const [what, arg, action, extra] = parts.slice(2);
    if (req.method === 'GET') {
      if (what === 'cluster' && arg === 'summary') return send(res, 200, await clusterSummary(nimbus));
      if (what === 'nimbus' && arg === 'summary') return send(res, 200, await nimbusSummary(nimbus));
      if (what === 'supervisor' && arg === 'summary') return send(res, 200, await supervisorSummary(nimbus));
      if (what === 'topology' && arg === 'summary') return send(res, 200, await topologySummary(nimbus));
      if (what === 'topology' && arg !== undefined && action === undefined) return send(res, 200, await topologyPage(nimbus, arg, window(url)));
      if (what === 'topology' && arg !== undefined && action === 'component' && extra !== undefined) return send(res, 200, await componentPage(nimbus, arg, extra, window(url)));
      if (what === 'topology' && arg !== undefined && action === 'errors') return send(res, 200, await topologyErrors(nimbus, arg));
      if (what === 'topology' && arg !== undefined && action === 'bundle') {
        // A bundle may hold what a topology needs to reach its systems: only for token holders.
        authorize(req);
        const code = await nimbus.bundles.get((await nimbus.find(arg)).id);
        res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
        res.end(code);
        return;
      }
      throw new HttpError(404, `no such call: GET ${url.pathname}`);
    }
    if (req.method !== 'POST') throw new HttpError(405, `${req.method} is not a call of this API: reads are GET, changes POST`);
    authorize(req);
    const data = await body(req);
    if (!nimbus.isLeader) return forward(req, res, data);
    const input = json(data);
    if (what === 'topology' && arg === undefined) {
      const { record, assignment } = await nimbus.submit({ ...(input.name === undefined ? {} : { name: String(input.name) }), code: String(input.code ?? ''), workers: input.workers === undefined ? 1 : Number(input.workers), config: (input.config ?? {}) as Record<string, unknown> });
      return send(res, 201, { id: record.id, name: record.name, workers: record.workers, epoch: assignment.epoch, bundle: record.bundle });
    }
    if (what === 'topology' && arg !== undefined) {
      if (action === 'activate' || action === 'deactivate') {
        const r = await nimbus.setActive(arg, action === 'activate');
        return send(res, 200, { id: r.id, name: r.name, status: r.status.toUpperCase() });
      }
      const wait = extra === undefined ? 0 : Number(extra);
      if (!(Number.isFinite(wait) && wait >= 0)) throw new HttpError(400, `the wait is a number of seconds, got '${extra}'`, NimbusErrorCodes.BAD_REQUEST);
      if (action === 'kill') {
        const r = await nimbus.kill(arg, wait);
        return send(res, 200, { id: r.id, name: r.name, status: 'KILLED', removeAt: r.killAt });
      }
      if (action === 'rebalance') {
        const r = await nimbus.rebalance(arg, { ...(input.workers === undefined ? {} : { workers: Number(input.workers) }), ...(input.executors === undefined ? {} : { executors: input.executors as Record<string, number> }) });
        return send(res, 200, { id: r.id, name: r.name, workers: r.workers, executors: r.executors });
      }
    }
    throw new HttpError(404, `no such call: POST ${url.pathname}`);
  }

  return (req, res) => void route(req, res).catch((error: unknown) => answerError(req, res, error, STATUS_OF_CODE, logger));
}
