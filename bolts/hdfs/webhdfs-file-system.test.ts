/**
 * WebHdfsFileSystem against a small in-memory WebHDFS on loopback that redirects writes and
 * reads to a "DataNode" path and injects faults. The real HDFS is in test/integration.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ErrorCodes, SquallError } from '../../core/index.js';
import { HdfsErrorCodes } from './errors.js';
import { WebHdfsFileSystem } from './webhdfs-file-system.js';

type Fault = '503' | 'reset' | 'lost-response' | 'safemode' | 'quota' | 'denied' | 'no-datanode';

class FakeWebHdfs {
  readonly files = new Map<string, Buffer>();
  readonly faults = new Map<string, Fault[]>();
  readonly calls: string[] = [];
  readonly server: Server;
  port = 0;

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.#handle(req, res, Buffer.concat(chunks)));
    });
  }

  /** Injects faults into the next calls of `step` (an op, or `DN:<op>` on the DataNode). */
  inject(step: string, ...faults: Fault[]): void {
    this.faults.set(step, [...(this.faults.get(step) ?? []), ...faults]);
  }

  #json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  #handle(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const url = new URL(req.url!, `http://127.0.0.1:${this.port}`);
    const op = url.searchParams.get('op')!;
    const dataNode = url.pathname.startsWith('/datanode/');
    const path = decodeURIComponent(url.pathname.replace(/^\/(webhdfs\/v1|datanode)/, ''));
    const step = dataNode ? `DN:${op}` : op;
    this.calls.push(`${step} ${path} user=${url.searchParams.get('user.name')}`);
    const fault = this.faults.get(step)?.shift();
    if (fault === 'reset') return void req.socket.destroy();
    if (fault === '503') return this.#json(res, 503, { RemoteException: { exception: 'RetriableException', message: 'busy' } });
    if (fault === 'quota') {
      const message = `The DiskSpace quota of ${path.slice(0, path.lastIndexOf('/'))} is exceeded: quota = 1048576 B = 1 MB but diskspace consumed = 402653184 B = 384 MB`;
      return this.#json(res, 403, { RemoteException: { exception: 'DSQuotaExceededException', message } });
    }
    if (fault === 'denied') return this.#json(res, 403, { RemoteException: { exception: 'AccessControlException', message: `Permission denied: user=alice, access=WRITE, inode="${path}"` } });
    if (fault === 'no-datanode') {
      const message = `File ${path} could only be written to 0 of the 1 minReplication nodes. There are 0 datanode(s) running and 0 node(s) are excluded in this operation.`;
      return this.#json(res, 403, { RemoteException: { exception: 'IOException', message } });
    }
    if (fault === 'safemode') return this.#json(res, 403, { RemoteException: { exception: 'SafeModeException', message: 'Name node is in safe mode.\n\tat ...' } });
    const missing = () => this.#json(res, 404, { RemoteException: { exception: 'FileNotFoundException', message: `File ${path} does not exist.` } });
    if (!dataNode && (op === 'CREATE' || op === 'APPEND' || op === 'OPEN')) {
      res.writeHead(307, { location: `http://127.0.0.1:${this.port}/datanode${url.pathname.slice('/webhdfs/v1'.length)}${url.search}` }).end();
      return;
    }
    switch (step) {
      case 'DN:CREATE':
        if (this.files.has(path) && url.searchParams.get('overwrite') !== 'true') {
          return this.#json(res, 403, { RemoteException: { exception: 'FileAlreadyExistsException', message: `${path} already exists` } });
        }
        this.files.set(path, body);
        return void res.writeHead(201).end();
      case 'DN:APPEND':
        if (!this.files.has(path)) return missing();
        this.files.set(path, Buffer.concat([this.files.get(path)!, body]));
        if (fault === 'lost-response') return void req.socket.destroy();
        return void res.writeHead(200).end();
      case 'DN:OPEN':
        return this.files.has(path) ? void res.writeHead(200).end(this.files.get(path)) : missing();
      case 'GETFILESTATUS': {
        const f = this.files.get(path);
        if (f === undefined) return missing();
        return this.#json(res, 200, { FileStatus: { pathSuffix: '', type: 'FILE', length: f.length, modificationTime: 1 } });
      }
      case 'RENAME': {
        const to = url.searchParams.get('destination')!;
        const ok = this.files.has(path) && !this.files.has(to);
        if (ok) {
          this.files.set(to, this.files.get(path)!);
          this.files.delete(path);
        }
        if (fault === 'lost-response') return void req.socket.destroy();
        return this.#json(res, 200, { boolean: ok });
      }
      case 'LISTSTATUS': {
        const prefix = path.endsWith('/') ? path : `${path}/`;
        const names = [...this.files.keys()].filter((k) => k.startsWith(prefix) && !k.slice(prefix.length).includes('/'));
        if (names.length === 0) return missing();
        return this.#json(res, 200, {
          FileStatuses: { FileStatus: names.map((n) => ({ pathSuffix: n.slice(prefix.length), type: 'FILE', length: this.files.get(n)!.length, modificationTime: 1 })) },
        });
      }
      case 'DELETE':
        return this.#json(res, 200, { boolean: this.files.delete(path) });
      default:
        return this.#json(res, 400, { RemoteException: { exception: 'IllegalArgumentException', message: `op ${op}` } });
    }
  }
}

describe('WebHdfsFileSystem', () => {
  const hdfs = new FakeWebHdfs();
  let fs: WebHdfsFileSystem;
  before(async () => {
    await new Promise<void>((resolve) => hdfs.server.listen(0, '127.0.0.1', resolve));
    hdfs.port = (hdfs.server.address() as AddressInfo).port;
    fs = new WebHdfsFileSystem({ url: `http://127.0.0.1:${hdfs.port}`, user: 'alice', retry: { maxAttempts: 4, initialDelayMs: 1, maxDelayMs: 5 } });
  });
  after(async () => {
    await fs.close();
    await new Promise((resolve) => hdfs.server.close(resolve));
  });
  beforeEach(() => {
    hdfs.files.clear();
    hdfs.faults.clear();
    hdfs.calls.length = 0;
  });

  const code = (e: unknown) => (e instanceof SquallError ? `${e.code}${e.retriable ? ' retriable' : ''}` : String(e));

  it('follows the redirect to the DataNode for CREATE, APPEND and OPEN, and sends user.name', async () => {
    await fs.create('/d/a file', Buffer.from('hello '));
    await fs.append('/d/a file', Buffer.from('world'));
    assert.equal((await fs.read('/d/a file')).toString(), 'hello world');
    assert.deepEqual(hdfs.calls.slice(0, 4), ['CREATE /d/a file user=alice', 'DN:CREATE /d/a file user=alice', 'APPEND /d/a file user=alice', 'DN:APPEND /d/a file user=alice']);
    assert.deepEqual(
      (await fs.list('/d')).map((s) => [s.name, s.path, s.length]),
      [['a file', '/d/a file', 11]],
    );
  });

  it('streams a file to the DataNode in one chunked PUT', async () => {
    hdfs.inject('CREATE', '503');
    const stream = await fs.createStream('/s/f', { overwrite: true });
    await stream.write(Buffer.from('one '));
    await stream.write(Buffer.alloc(3 * 2 ** 20, 'x'));
    await stream.write(Buffer.from(' two'));
    assert.equal(hdfs.files.has('/s/f'), false, 'nothing is there before the end of the file');
    await stream.close();
    const content = hdfs.files.get('/s/f')!;
    assert.equal(content.length, 4 + 3 * 2 ** 20 + 4);
    assert.equal(content.subarray(0, 4).toString(), 'one ');
    assert.deepEqual(
      hdfs.calls.filter((c) => c.includes('/s/f')),
      ['CREATE /s/f user=alice', 'CREATE /s/f user=alice', 'DN:CREATE /s/f user=alice'],
    );
  });

  it('fails a stream the DataNode refuses, with the reason', async () => {
    hdfs.files.set('/s/exists', Buffer.from('x'));
    const stream = await fs.createStream('/s/exists');
    await stream.write(Buffer.from('y'));
    await assert.rejects(stream.close(), (e: unknown) => code(e) === HdfsErrorCodes.ALREADY_EXISTS);
    await assert.rejects(stream.write(Buffer.from('z')), (e: unknown) => code(e) === HdfsErrorCodes.ALREADY_EXISTS);
    assert.equal(hdfs.files.get('/s/exists')?.toString(), 'x');
  });

  it('retries 5xx, safe mode and reset connections with backoff', async () => {
    hdfs.inject('CREATE', '503', 'reset');
    hdfs.inject('DN:CREATE', 'safemode');
    await fs.create('/r/x', Buffer.from('x'));
    assert.equal(hdfs.files.get('/r/x')?.toString(), 'x');
    assert.equal(hdfs.calls.filter((c) => c.startsWith('CREATE')).length, 4);
  });

  it('gives up after maxAttempts with a retriable UNAVAILABLE error', async () => {
    hdfs.inject('GETFILESTATUS', '503', '503', '503', '503');
    await assert.rejects(fs.exists('/x'), (e: unknown) => code(e) === `${HdfsErrorCodes.UNAVAILABLE} retriable` && /failed after 4 attempts/.test((e as Error).message));
    const down = new WebHdfsFileSystem({ url: 'http://127.0.0.1:1', retry: { maxAttempts: 2, initialDelayMs: 1 } });
    await assert.rejects(down.mkdirs('/x'), (e: unknown) => code(e) === `${HdfsErrorCodes.UNAVAILABLE} retriable` && /ECONNREFUSED/.test((e as Error).message));
    await down.close();
  });

  it('does not retry what cannot succeed, and says what it was', async () => {
    await fs.create('/e/a', Buffer.from('a'));
    await assert.rejects(fs.create('/e/a', Buffer.from('b')), (e: unknown) => code(e) === HdfsErrorCodes.ALREADY_EXISTS);
    await assert.rejects(fs.read('/e/none'), (e: unknown) => code(e) === HdfsErrorCodes.NOT_FOUND);
    await assert.rejects(fs.list('/none'), (e: unknown) => code(e) === HdfsErrorCodes.NOT_FOUND);
    await fs.create('/e/b', Buffer.from('b'));
    await assert.rejects(fs.rename('/e/a', '/e/b'), (e: unknown) => code(e) === HdfsErrorCodes.ALREADY_EXISTS);
    await assert.rejects(fs.rename('/e/none', '/e/c'), (e: unknown) => code(e) === HdfsErrorCodes.NOT_FOUND);
    assert.equal(hdfs.calls.filter((c) => c.startsWith('DN:CREATE /e/a')).length, 2, 'the refused create was not retried');
  });

  it('classifies storage faults: a quota, a denied write, safe mode and no DataNode, each saying where and what to do', async () => {
    hdfs.inject('DN:CREATE', 'quota');
    await assert.rejects(fs.create('/q/x', Buffer.from('x')), (e: unknown) => {
      assert.equal(code(e), ErrorCodes.STORAGE_FULL);
      assert.match((e as Error).message, /CREATE \/q\/x .*DSQuotaExceededException: The DiskSpace quota of \/q is exceeded: quota = 1048576 B.*setSpaceQuota/);
      return true;
    });
    assert.equal(hdfs.calls.filter((c) => c.startsWith('DN:CREATE /q/x')).length, 1, 'a quota is not retried: it needs someone to act');
    hdfs.inject('CREATE', 'denied');
    await assert.rejects(fs.create('/ro/x', Buffer.from('x')), (e: unknown) => code(e) === ErrorCodes.STORAGE_READ_ONLY && /\/ro\/x.*Make the path writable/.test((e as Error).message));
    hdfs.inject('CREATE', 'safemode', 'safemode', 'safemode', 'safemode');
    await assert.rejects(fs.create('/s/x', Buffer.from('x')), (e: unknown) => code(e) === `${ErrorCodes.STORAGE_UNAVAILABLE} retriable` && /safe mode.*4 attempts.*dfsadmin -safemode get/.test((e as Error).message));
    hdfs.inject('DN:CREATE', 'no-datanode', 'no-datanode', 'no-datanode', 'no-datanode');
    await assert.rejects(fs.create('/n/x', Buffer.from('x')), (e: unknown) => code(e) === `${ErrorCodes.STORAGE_UNAVAILABLE} retriable` && /0 datanode\(s\) running/.test((e as Error).message));
  });

  it('fails a stream whose connection broke mid-file with a transient storage fault (its answer is lost with it)', async () => {
    hdfs.inject('DN:CREATE', 'reset');
    const stream = await fs.createStream('/b/x');
    await stream.write(Buffer.from('y'));
    await assert.rejects(stream.close(), (e: unknown) => code(e) === `${ErrorCodes.STORAGE_IO} retriable` && /CREATE \/b\/x .*the connection to the DataNode broke/.test((e as Error).message));
  });

  it('never appends twice when an append landed but its response was lost', async () => {
    await fs.create('/i/f', Buffer.from('ab'));
    hdfs.inject('DN:APPEND', 'lost-response');
    await fs.append('/i/f', Buffer.from('cd'));
    assert.equal(hdfs.files.get('/i/f')?.toString(), 'abcd');
    await fs.append('/i/f', Buffer.from('ef'));
    assert.equal(hdfs.files.get('/i/f')?.toString(), 'abcdef');
  });

  it('counts a retried rename whose first attempt landed as done', async () => {
    await fs.create('/n/tmp', Buffer.from('x'));
    hdfs.inject('RENAME', 'lost-response');
    await fs.rename('/n/tmp', '/n/final');
    assert.deepEqual([...hdfs.files.keys()], ['/n/final']);
  });

  it('fails every call with CLOSED once closed, and close is idempotent', async () => {
    const other = new WebHdfsFileSystem({ url: `http://127.0.0.1:${hdfs.port}` });
    await other.close();
    await other.close();
    await assert.rejects(other.exists('/x'), (e: unknown) => code(e) === HdfsErrorCodes.CLOSED);
  });

  it('rejects a URL it cannot use', () => {
    assert.throws(() => new WebHdfsFileSystem({ url: 'not a url' }), (e: unknown) => code(e) === HdfsErrorCodes.INVALID_OPTIONS);
    assert.throws(() => new WebHdfsFileSystem({ url: 'https://127.0.0.1:9871' }), (e: unknown) => code(e) === HdfsErrorCodes.INVALID_OPTIONS);
  });
});
