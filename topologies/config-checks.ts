/** Checks of config values that several shipped topologies share (see core/config-keys.ts). */
import { existsSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

/** Inputs that are not paths. */
const SOURCES = ['generator', 'kafka', '-'];
const WILDCARD = /[*?[]/;

/**
 * A file, directory or glob (wildcards in its last part) that names something on this machine.
 * What else can be wrong with it (a glob under a file, wildcards in a directory) the file spout
 * says when it opens.
 */
export function checkInputPath(input: string): string | undefined {
  if (SOURCES.includes(input)) return undefined;
  const path = WILDCARD.test(basename(input)) ? dirname(input) : input;
  if (WILDCARD.test(path) || existsSync(resolve(path))) return undefined;
  return `'generator', 'kafka', '-' (stdin), or an existing file, directory or glob (${resolve(path)} does not exist)`;
}

/** A WebHDFS address: an http or https URL. */
export function checkWebHdfsUrl(url: string): string | undefined {
  const ok = URL.canParse(url) && ['http:', 'https:'].includes(new URL(url).protocol);
  return ok ? undefined : 'a WebHDFS URL such as http://127.0.0.1:9870';
}

/** A Redis address: `host:port`, or a `redis://` URL. */
export function checkRedisAddress(address: string): string | undefined {
  return /^[^\s:/]+:\d+$/.test(address) || (URL.canParse(address) && new URL(address).protocol === 'redis:') ? undefined : 'host:port, such as 127.0.0.1:6379, or a redis:// URL';
}
