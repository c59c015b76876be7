/**
 * A WebHDFS CREATE streamed to the DataNode: one PUT with a chunked body for the whole file, so a
 * file costs one HDFS close instead of one per chunk. The DataNode answers 201 once the body ends
 * and the file is closed. A failed connection fails the stream; there is no retry mid-file (the
 * sink abandons the file and its tuples are replayed). A connection broken mid-file is a
 * transient storage fault (`SQUALL_ERR_STORAGE_IO`): a DataNode that refuses the next block (a
 * quota reached) resets the connection before its answer can be read, as does one restarting.
 */
import { type ClientRequest, type IncomingMessage, type Agent, request } from 'node:http';
import { HdfsErrorCodes, hdfsError } from './errors.js';
import type { FileStream } from './file-system.js';
import { brokenUpload, responseError } from './webhdfs-transport.js';

export class WebHdfsUpload implements FileStream {
  readonly #req: ClientRequest;
  readonly #what: string;
  readonly #timeoutMs: number;
  #failure: Error | undefined;
  #response: Promise<IncomingMessage & { body: Buffer }>;

  constructor(location: URL, agent: Agent, what: string, timeoutMs: number) {
    this.#what = what;
    this.#timeoutMs = timeoutMs;
    this.#req = request(location, { method: 'PUT', agent, headers: { 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' } });
    this.#response = new Promise((resolve, reject) => {
      this.#req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          // An answer before the end of the body is a refusal (the path exists, no DataNode, ...).
          if (res.statusCode !== 201) this.#fail(responseError(what, { status: res.statusCode ?? 0, headers: res.headers, body }));
          resolve(Object.assign(res, { body }));
        });
        res.on('error', (e) => reject(this.#fail(brokenUpload(what, e))));
      });
      this.#req.on('error', (e) => reject(this.#fail(this.#failure ?? brokenUpload(what, e))));
    });
    // Observed here so that a failure before close() is not an unhandled rejection.
    this.#response.catch(() => {});
  }

  async write(data: Uint8Array): Promise<void> {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#req.write(data)) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(this.#abortWith(`no progress within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      const onDrain = () => {
        cleanup();
        resolve();
      };
      const onClose = () => {
        cleanup();
        reject(this.#failure ?? brokenUpload(this.#what, new Error('connection closed')));
      };
      const cleanup = () => {
        clearTimeout(timer);
        this.#req.off('drain', onDrain);
        this.#req.off('close', onClose);
      };
      this.#req.on('drain', onDrain);
      this.#req.on('close', onClose);
    });
  }

  async close(): Promise<void> {
    if (this.#failure !== undefined) throw this.#failure;
    this.#req.end();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.#abortWith(`no answer within ${this.#timeoutMs} ms of the end of the file`)), this.#timeoutMs);
    });
    try {
      const res = await Promise.race([this.#response, timeout]);
      if (res.statusCode !== 201) throw this.#failure ?? this.#fail(responseError(this.#what, { status: res.statusCode ?? 0, headers: res.headers, body: res.body }));
    } finally {
      clearTimeout(timer);
    }
  }

  abort(): void {
    this.#abortWith('aborted');
  }

  #abortWith(why: string): Error {
    const error = this.#fail(hdfsError(HdfsErrorCodes.UNAVAILABLE, `${this.#what}: ${why}`, { retriable: true }));
    this.#req.destroy(error);
    return error;
  }

  #fail(error: Error): Error {
    this.#failure ??= error;
    return this.#failure;
  }
}
