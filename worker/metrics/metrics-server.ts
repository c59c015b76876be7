/** A small HTTP server for Prometheus: `GET /metrics` and `GET /healthz`, on 127.0.0.1 by default. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PrometheusBridge } from './prometheus-bridge.js';

export interface MetricsServerOptions {
  /** @default 0 (any free port) */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
}

export class MetricsServer {
  readonly #server: Server;
  readonly #bridge: PrometheusBridge;
  #closing: Promise<void> | undefined;

  constructor(bridge: PrometheusBridge) {
    this.#bridge = bridge;
    this.#server = createServer((req, res) => {
      if (req.method === 'GET' && req.url === '/metrics') {
        this.#bridge.metrics().then(
          (text) => {
            res.writeHead(200, { 'content-type': this.#bridge.contentType });
            res.end(text);
          },
          (error: unknown) => {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end(`metrics failed: ${(error as Error).message}\n`);
          },
        );
      } else if (req.method === 'GET' && req.url === '/healthz') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok\n');
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found: try /metrics\n');
      }
    });
  }

  /** Starts listening; resolves with the URL of `/metrics`. */
  async listen(options: MetricsServerOptions = {}): Promise<string> {
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(options.port ?? 0, host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    this.#server.unref();
    const { port } = this.#server.address() as AddressInfo;
    return `http://${host}:${port}/metrics`;
  }

  close(): Promise<void> {
    this.#closing ??= new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
    return this.#closing;
  }
}
