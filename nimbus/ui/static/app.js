// Squall's web UI: plain JavaScript over the REST API (/api/v1), no framework. Pages by the
// URL's hash: #/ (cluster), #/topology/<id>, #/topology/<id>/component/<c>. The topology graph
// is laid out left to right by dagre, served from the package like everything here.
'use strict';

const REFRESH_MS = 2000;
const main = document.getElementById('main');
let timer;

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const num = (n) => (typeof n === 'number' ? n.toLocaleString('en-US', { maximumFractionDigits: 2 }) : esc(n ?? ''));
const compact = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : n.toFixed(n >= 10 ? 0 : 1));
const reasons = (r) => Object.entries(r || {}).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ');
const api = async (path) => {
  const res = await fetch(`/api/v1${path}`);
  const body = await res.json();
  if (!res.ok) throw new Error(body.error || `HTTP ${res.status}`);
  return body;
};

function table(headers, rows, attrs = '') {
  return `<table ${attrs}><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

function setUpdated() {
  document.getElementById('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
}

async function clusterPage() {
  const [cluster, nimbuses, supervisors, topologies] = await Promise.all([api('/cluster/summary'), api('/nimbus/summary'), api('/supervisor/summary'), api('/topology/summary')]);
  document.getElementById('where').textContent = 'cluster';
  main.innerHTML = `
    <h2>Cluster</h2>${table(['version', 'supervisors', 'slots used', 'slots free', 'executors', 'tasks'], [[esc(cluster.squallVersion), num(cluster.supervisors), num(cluster.slotsUsed), num(cluster.slotsFree), num(cluster.executorsTotal), num(cluster.tasksTotal)]])}
    <h2>Nimbus</h2>${table(['host', 'port', 'status', 'up (s)'], nimbuses.nimbuses.map((n) => [esc(n.host), num(n.port), esc(n.status), num(n.nimbusUpTimeSeconds)]))}
    <h2>Supervisors</h2>${table(['id', 'host', 'slots', 'used', 'up (s)'], supervisors.supervisors.map((s) => [esc(s.id), esc(s.host), num(s.slotsTotal), num(s.slotsUsed), num(s.uptimeSeconds)]))}
    <h2>Topologies</h2>${table(['name', 'status', 'workers', 'executors', 'tasks', 'up (s)'], topologies.topologies.map((t) => [`<a href="#/topology/${encodeURIComponent(t.id)}">${esc(t.name)}</a>`, `<span class="status-${esc(t.status)}">${esc(t.status)}</span>`, num(t.workersTotal), num(t.executorsTotal), num(t.tasksTotal), num(t.uptimeSeconds)]))}`;
}

/** Green at capacity 0, red at 1. */
function capacityColour(c) {
  const x = Math.max(0, Math.min(1, c || 0));
  return `hsl(${Math.round(120 * (1 - x))}, 70%, 80%)`;
}

function graph(page) {
  const rows = new Map([...page.spouts.map((s) => [s.spoutId, s]), ...page.bolts.map((b) => [b.boltId, b])]);
  const rateOf = (id) => {
    const r = rows.get(id);
    return r === undefined ? 0 : r.spoutId !== undefined ? r.emitRate : r.executeRate;
  };
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'LR', nodesep: 24, ranksep: 70, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const c of page.graph) g.setNode(c.id, { width: Math.max(140, c.id.length * 8 + 20), height: 44 });
  for (const c of page.graph) for (const i of c.inputs) if (rows.has(i.from)) g.setEdge(i.from, c.id, { label: '', width: 60, height: 14 }, `${i.from}>${c.id}>${i.stream}`);
  dagre.layout(g);
  const { width, height } = g.graph();
  const edges = g.edges().map((e) => {
    const edge = g.edge(e);
    const d = edge.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x},${p.y}`).join(' ');
    const rate = rows.get(e.v)?.emitRate ?? 0;
    return `<g class="edge" data-from="${esc(e.v)}" data-to="${esc(e.w)}" data-rate="${rate}"><path d="${d}"></path><text x="${edge.x}" y="${edge.y - 4}">${compact(rate)}/s</text></g>`;
  });
  const nodes = g.nodes().map((id) => {
    const n = g.node(id);
    const row = rows.get(id) || {};
    const rate = rateOf(id);
    const fill = row.spoutId !== undefined ? '#dbe7ff' : capacityColour(row.capacity);
    return `<g class="node" data-component="${esc(id)}" data-rate="${rate}" transform="translate(${n.x - n.width / 2},${n.y - n.height / 2})"><a href="#/topology/${encodeURIComponent(page.id)}/component/${encodeURIComponent(id)}"><rect width="${n.width}" height="${n.height}" fill="${fill}"></rect><text x="${n.width / 2}" y="18">${esc(id)}</text><text x="${n.width / 2}" y="34">${compact(rate)}/s${row.boltId !== undefined ? ` · cap ${(row.capacity || 0).toFixed(2)}` : ''}</text></a></g>`;
  });
  return `<svg class="graph" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#6b7385"></path></marker></defs>${edges.join('')}${nodes.join('')}</svg>`;
}

function actions() {
  const token = sessionStorage.getItem('squall-token') || '';
  return `<div class="actions"><label>token <input id="token" type="password" placeholder="needed for changes" value="${esc(token)}"></label>
    <button id="activate" data-action="activate">Activate</button><button id="deactivate" data-action="deactivate">Deactivate</button>
    <button id="rebalance" data-action="rebalance/0">Rebalance</button><button id="kill" data-action="kill/30">Kill (in 30 s)</button>
    <span id="message" class="message"></span></div>`;
}

async function act(id, action) {
  const input = document.getElementById('token');
  const token = input.value.trim() || window.prompt('The cluster token (nimbus start wrote it; SQUALL_TOKEN):') || '';
  if (token === '') return;
  sessionStorage.setItem('squall-token', token);
  const message = document.getElementById('message');
  if (action.startsWith('kill') && !window.confirm(`Kill ${id}?`)) return;
  const res = await fetch(`/api/v1/topology/${encodeURIComponent(id)}/${action}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
  const body = await res.json().catch(() => ({}));
  message.className = `message${res.ok ? '' : ' error'}`;
  message.textContent = res.ok ? `${action.split('/')[0]}: ${body.status || 'done'}` : body.error || `HTTP ${res.status}`;
}

function componentTable(page) {
  const spouts = page.spouts.map((s) => [`<a href="#/topology/${encodeURIComponent(page.id)}/component/${encodeURIComponent(s.spoutId)}">${esc(s.spoutId)}</a>`, 'spout', num(s.emitRate), num(s.emitted), num(s.acked), num(s.failed), esc(reasons(s.failedByReason)), `${num(s.completeLatencyP50)} / ${num(s.completeLatencyP99)}`, '-', num(s.pending)]);
  const bolts = page.bolts.map((b) => [`<a href="#/topology/${encodeURIComponent(page.id)}/component/${encodeURIComponent(b.boltId)}">${esc(b.boltId)}</a>`, 'bolt', num(b.executeRate), num(b.emitted), num(b.acked), num(b.failed), esc(reasons(b.failedByReason)), `${num(b.executeLatencyP50)} / ${num(b.executeLatencyP99)}`, num(b.capacity), num(b.queued)]);
  return table(['component', 'kind', 'rate/s', 'emitted', 'acked', 'failed', 'reasons', 'latency p50 / p99 ms', 'capacity', 'pending / queued'], [...spouts, ...bolts], 'id="components"');
}

async function topologyPage(id) {
  const [page, errors] = await Promise.all([api(`/topology/${encodeURIComponent(id)}`), api(`/topology/${encodeURIComponent(id)}/errors`)]);
  document.getElementById('where').innerHTML = `<a href="#/">cluster</a> › ${esc(page.name)}`;
  const recent = Object.values(errors.components).flat().sort((a, b) => b.time - a.time).slice(0, 10);
  const focused = document.activeElement?.id === 'token';
  if (!document.getElementById('token')) main.innerHTML = `<div id="head"></div>${actions()}<div id="body"></div>`;
  document.getElementById('head').innerHTML = `<h2>${esc(page.name)} <span id="status" class="status-${esc(page.status)}">${esc(page.status)}</span></h2>
    <div>${num(page.workersTotal)} workers · ${num(page.executorsTotal)} executors · ${num(page.tasksTotal)} tasks · up ${num(page.uptimeSeconds)} s · rates over the last 5 s</div>`;
  document.getElementById('body').innerHTML = `${graph(page)}<h2>Components</h2>${componentTable(page)}
    <h2>Windows</h2>${table(['window', 'emitted', 'transferred', 'acked', 'failed', 'reasons', 'complete latency ms (avg / p99)'], page.topologyStats.map((w) => [esc(w.windowPretty), num(w.emitted), num(w.transferred), num(w.acked), num(w.failed), esc(reasons(w.failedByReason)), `${num(w.completeLatency)} / ${num(w.completeLatencyP99)}`]))}
    <h2>Recent errors</h2>${recent.length === 0 ? '<p>none</p>' : table(['time', 'component', 'task', 'worker', 'error'], recent.map((e) => [esc(new Date(e.time).toLocaleTimeString()), esc(e.component), num(e.task), esc(e.worker), esc(e.message)]), 'class="errors"')}`;
  if (focused) document.getElementById('token').focus();
  for (const button of document.querySelectorAll('.actions button')) button.onclick = () => void act(page.id, button.dataset.action);
}

function chart(points, field) {
  if (points.length < 2) return '<p>collecting…</p>';
  const w = 480, h = 120;
  const max = Math.max(1, ...points.map((p) => p[field]));
  const t0 = points[0].at, t1 = points[points.length - 1].at;
  const xy = (p, v) => `${(((p.at - t0) / Math.max(1, t1 - t0)) * (w - 10) + 5).toFixed(1)},${(h - 5 - (v / max) * (h - 20)).toFixed(1)}`;
  const line = points.map((p) => xy(p, p[field])).join(' ');
  return `<svg class="chart" width="${w}" height="${h}"><text x="6" y="14" font-size="11">${field} per s, max ${compact(max)}</text><polyline points="${line}"></polyline></svg>`;
}

async function componentPage(id, component) {
  const c = await api(`/topology/${encodeURIComponent(id)}/component/${encodeURIComponent(component)}`);
  document.getElementById('where').innerHTML = `<a href="#/">cluster</a> › <a href="#/topology/${encodeURIComponent(id)}">${esc(c.name)}</a> › ${esc(component)}`;
  const spout = c.componentType === 'spout';
  main.innerHTML = `<h2>${esc(component)} (${esc(c.componentType)})</h2>
    <div>${num(c.executors)} executors · ${num(c.tasks)} tasks · rate ${num(spout ? c.emitRate : c.executeRate)}/s · failed ${num(c.failed)} ${esc(reasons(c.failedByReason))}</div>
    <h2>Rate over the last minutes</h2>${chart(c.rateHistory, spout ? 'emitted' : 'executed')}
    <h2>Tasks</h2>${table(['task', 'worker', 'emitted', 'transferred', spout ? 'acked' : 'executed', 'failed', 'reasons', spout ? 'complete ms p50 / p99' : 'execute ms p50 / p99', spout ? 'pending' : 'capacity'], c.taskStats.map((t) => [num(t.task), esc(t.worker), num(t.emitted), num(t.transferred), num(spout ? t.acked : t.executed), num(t.failed), esc(reasons(t.failedByReason)), spout ? `${num(t.completeLatency.p50)} / ${num(t.completeLatency.p99)}` : `${num(t.executeLatency.p50)} / ${num(t.executeLatency.p99)}`, num(spout ? t.pending : t.capacity)]), 'id="tasks"')}
    <h2>Windows</h2>${table(['window', 'emitted', 'executed', 'acked', 'failed'], c.windowStats.map((w) => [esc(w.windowPretty), num(w.emitted), num(w.executed), num(w.acked), num(w.failed)]))}
    <h2>Last errors</h2>${c.componentErrors.length === 0 ? '<p>none</p>' : table(['time', 'task', 'worker', 'error'], c.componentErrors.map((e) => [esc(new Date(e.time).toLocaleTimeString()), num(e.task), esc(e.worker), esc(e.message)]), 'class="errors"')}`;
}

async function render() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter((p) => p !== '').map(decodeURIComponent);
  try {
    if (parts[0] === 'topology' && parts[2] === 'component') await componentPage(parts[1], parts[3]);
    else if (parts[0] === 'topology') await topologyPage(parts[1]);
    else await clusterPage();
    setUpdated();
  } catch (error) {
    document.getElementById('updated').textContent = `not updated: ${error.message}`;
  }
}

function route() {
  clearInterval(timer);
  main.innerHTML = 'Loading…';
  void render();
  timer = setInterval(() => void render(), REFRESH_MS);
}

window.addEventListener('hashchange', route);
route();
