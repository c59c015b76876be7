/**
 * How the CLI reaches Nimbus: the address from `--nimbus`, `SQUALL_NIMBUS` or the default
 * {@link DEFAULT_NIMBUS}, the token from `--token`, `SQUALL_TOKEN` or the token file that
 * `nimbus start` and `dev-cluster` write, and Nimbus's refusals turned into exit codes.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { ExitCode } from './exit-codes.js';

/** Where `nimbus start` listens, and where the CLI looks, unless told otherwise. */
export const DEFAULT_NIMBUS = '127.0.0.1:6627';

/** The file holding the cluster token for this user: `$XDG_CONFIG_HOME/squall/token` (mode 0600). */
export function tokenFile(): string {
  return join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'squall', 'token');
}

export function readToken(explicit?: string): string | undefined {
  if (explicit !== undefined && explicit !== '') return explicit;
  if (process.env.SQUALL_TOKEN) return process.env.SQUALL_TOKEN;
  const file = tokenFile();
  return existsSync(file) ? readFileSync(file, 'utf8').trim() || undefined : undefined;
}

/**
 * Writes the token file (mode 0600). With `replace` false, a file that exists (another daemon
 * made it first) is kept, and its token returned; otherwise the file is replaced atomically.
 */
export function writeTokenFile(token: string, options: { replace?: boolean } = {}): { file: string; token: string } {
  const file = tokenFile();
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  if (options.replace === false) {
    try {
      writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
      return { file, token };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return { file, token: readFileSync(file, 'utf8').trim() };
    }
  }
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${token}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(temp, 0o600);
  renameSync(temp, file);
  return { file, token };
}

/** A refusal or failure, with the exit code it means. */
export class ClusterCommandError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

const EXIT_OF_STATUS: Record<number, number> = { 400: ExitCode.REFUSED, 401: ExitCode.UNAUTHORIZED, 404: ExitCode.NOT_FOUND, 409: ExitCode.REFUSED, 413: ExitCode.REFUSED, 422: ExitCode.TOPOLOGY_INVALID, 503: ExitCode.NIMBUS_UNREACHABLE };

export class NimbusClient {
  readonly address: string;
  readonly #token: string | undefined;

  constructor(options: { nimbus?: string; token?: string } = {}) {
    this.address = options.nimbus ?? process.env.SQUALL_NIMBUS ?? DEFAULT_NIMBUS;
    this.#token = readToken(options.token);
  }

  get<T>(path: string): Promise<T> {
    return this.#call<T>('GET', path);
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.#call<T>('POST', path, body);
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = `http://${this.address}/api/v1${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: { ...(this.#token === undefined ? {} : { authorization: `Bearer ${this.#token}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(120_000),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new ClusterCommandError(`cannot reach Nimbus at ${this.address} (${cause}): is it running (nimbus start, or nimbus dev-cluster)? Point at it with --nimbus host:port or SQUALL_NIMBUS`, ExitCode.NIMBUS_UNREACHABLE);
    }
    const text = await res.text();
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    if (res.ok) return value as T;
    const message = (value as { error?: string } | undefined)?.error ?? `HTTP ${res.status}`;
    throw new ClusterCommandError(`Nimbus at ${this.address}: ${message}`, EXIT_OF_STATUS[res.status] ?? ExitCode.FAILURE);
  }
}
