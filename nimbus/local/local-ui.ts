/** The HTTP server of `nimbus local --ui`: the REST API over the local run (and the web UI). */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../core/index.js';
import { withUi } from '../ui/ui-handler.js';
import { LocalApi } from './local-api.js';
import type { LocalCluster } from './local-cluster.js';

function version(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

export class LocalUi {
  readonly #server: Server;
  readonly #api: LocalApi;
  readonly url: string;
  #closing: Promise<void> | undefined;

  private constructor(server: Server, api: LocalApi, url: string) {
    this.#server = server;
    this.#api = api;
    this.url = url;
  }

  /** Listens on 127.0.0.1:`port`; logs the URL, and the token when it made one up. */
  static async start(options: { cluster: LocalCluster; port: number; token: string | undefined; logger: Logger }): Promise<LocalUi> {
    const token = options.token ?? randomBytes(12).toString('hex');
    let port = 0;
    const api = new LocalApi({ cluster: options.cluster, token, logger: options.logger, version: version(), port: () => port });
    const server = createServer(withUi(api.handler));
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port, '127.0.0.1', () => resolve());
      });
    } catch (error) {
      api.close();
      throw error;
    }
    server.unref();
    port = (server.address() as AddressInfo).port;
    const url = `http://127.0.0.1:${port}`;
    options.logger.info(`UI and REST API at ${url}${options.token === undefined ? ` (token for changes: ${token})` : ''}`);
    return new LocalUi(server, api, url);
  }

  close(): Promise<void> {
    this.#closing ??= new Promise((resolve) => {
      this.#api.close();
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
    return this.#closing;
  }
}
