/**
 * A plain node:http request that buffers the response: enough for WebHDFS probes and tests. It
 * does not follow redirects, so a caller sees each WebHDFS 307 and follows it on purpose.
 */
import { request } from 'node:http';

export interface HttpResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

export interface HttpRequestOptions {
  /** @default 'GET' */
  method?: string;
  body?: Buffer | string;
  headers?: Record<string, string>;
  /** Milliseconds for the whole exchange. @default 15000 */
  timeoutMs?: number;
}

/** Sends one HTTP request to a loopback URL and resolves with the whole response. */
export function httpRequest(url: string | URL, options: HttpRequestOptions = {}): Promise<HttpResponse> {
  const target = new URL(url);
  const timeoutMs = options.timeoutMs ?? 15_000;
  const body = options.body === undefined ? undefined : Buffer.from(options.body);
  const headers: Record<string, string> = { ...options.headers };
  if (body !== undefined) {
    headers['content-length'] = String(body.length);
    headers['content-type'] ??= 'application/octet-stream';
  }
  return new Promise((resolvePromise, reject) => {
    const req = request(target, { method: options.method ?? 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        clearTimeout(timer);
        resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
    });
    const timer = setTimeout(() => {
      req.destroy(new Error(`${options.method ?? 'GET'} ${target.href} got no complete answer within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(body);
  });
}

/** The `Location` of a redirect, or an error that shows what came back instead. */
export function redirectLocation(response: HttpResponse, what: string): string {
  const location = response.headers.location;
  if (response.status !== 307 || typeof location !== 'string') {
    throw new Error(`${what}: expected a 307 redirect to a DataNode, got ${response.status} ${response.body.toString('utf8').slice(0, 300)}`);
  }
  return location;
}
