/**
 * What Nimbus's API and local mode's share: JSON answers, the bearer token, bodies, errors as
 * `{ error, code }` with the HTTP status the code calls for, and the `window` parameter.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Logger, messageOf } from '../../core/index.js';
import { parseWindow } from '../stats/component-rows.js';
import type { Window } from '../stats/stats-history.js';

/** The code of a request the API cannot take (NimbusErrorCodes.BAD_REQUEST). */
const BAD_REQUEST = 'SQUALL_ERR_BAD_REQUEST';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** `?window=`: Storm's 600, 10800, 86400 or :all-time (the default). */
export function window(url: URL): Window {
  try {
    return parseWindow(url.searchParams.get('window'));
  } catch (error) {
    throw new HttpError(400, messageOf(error), BAD_REQUEST);
  }
}

/** Compares digests, so that neither the token nor its length shows in the time taken. */
function sameToken(given: string, expected: string): boolean {
  const digest = (t: string) => createHash('sha256').update(t).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** Refuses a request without `Authorization: Bearer <token>`; the answer never holds the token. */
export function authorizeBearer(req: IncomingMessage, token: string): void {
  const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  if (given === undefined || !sameToken(given, token)) {
    throw new HttpError(401, given === undefined ? 'this call needs the cluster token: pass --token, set SQUALL_TOKEN, or use the token file nimbus start wrote' : 'the token is wrong: use the one Nimbus was started with (its token file, or SQUALL_TOKEN)');
  }
}

/** Bodies above this are refused: a bundle is one JavaScript file without its packages. */
const MAX_BODY = 32 * 1024 * 1024;

export async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, `the request is over ${MAX_BODY} bytes`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

export function json(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  try {
    const value = JSON.parse(body.toString('utf8')) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new HttpError(400, 'the request body is not a JSON object', BAD_REQUEST);
}

export function send(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Answers a failed request: the status the error's code calls for, 500 (and a warning) otherwise. */
export function answerError(req: IncomingMessage, res: ServerResponse, error: unknown, statusOfCode: Readonly<Record<string, number>>, logger: Logger): void {
  const code = (error as { code?: unknown }).code;
  const status = error instanceof HttpError ? error.status : ((typeof code === 'string' ? statusOfCode[code] : undefined) ?? 500);
  if (status === 500) logger.warn(`${req.method} ${req.url} failed: ${messageOf(error)}`);
  if (!res.headersSent) send(res, status, { error: messageOf(error), ...(typeof code === 'string' ? { code } : {}) });
  else res.destroy();
}
