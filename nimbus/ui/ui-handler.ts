/**
 * The web UI: static files from the package (HTML, CSS, plain JavaScript and dagre's browser
 * build), nothing from the internet, in front of an API handler. Nimbus and `nimbus local --ui`
 * serve it the same way: `/api/*` goes to the API, the rest is the UI.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const STATIC = new URL('./static/', import.meta.url);
const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

/** The files, read once: path → [content type, body]. */
function files(): Map<string, [string, Buffer]> {
  const dagre = createRequire(import.meta.url).resolve('@dagrejs/dagre/dist/dagre.min.js');
  const out = new Map<string, [string, Buffer]>();
  out.set('/', [TYPES.html!, readFileSync(new URL('index.html', STATIC))]);
  for (const name of ['app.js', 'style.css']) out.set(`/ui/${name}`, [TYPES[name.split('.').pop()!]!, readFileSync(new URL(name, STATIC))]);
  out.set('/ui/dagre.min.js', [TYPES.js!, readFileSync(dagre)]);
  return out;
}

/** `api` for `/api/*`, the UI's files for the rest. */
export function withUi(api: Handler): Handler {
  let served: Map<string, [string, Buffer]> | undefined;
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path.startsWith('/api/')) return api(req, res);
    served ??= files();
    const file = served.get(path === '/index.html' ? '/' : path);
    if (req.method !== 'GET' || file === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`not found: ${path} (the UI is at /, the API under /api/v1)\n`);
      return;
    }
    res.writeHead(200, { 'content-type': file[0], 'content-length': file[1].length, 'cache-control': 'no-cache' });
    res.end(file[1]);
  };
}
