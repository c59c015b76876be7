/**
 * `user_agent_map`: the user agent parsed by `ua-parser-js` (v1, MIT), with bots and crawlers
 * given the device family `Spider`, behind an LRU cache: real traffic repeats a few thousand
 * user agents, and parsing one costs tens of microseconds.
 */
import UAParser from 'ua-parser-js';
import { LruCache } from './lru-cache.js';
import { MISSING, type UserAgentMap } from './schema.js';

/** The family of anything the parser does not know. */
export const OTHER = 'Other';

/** The browser family of Wikimedia's own apps, as uap-core names it. */
export const APP_FAMILY = 'WikipediaApp';

/** The device family of bots and crawlers. */
export const SPIDER = 'Spider';

/** What `user_agent_map` is for `-` or an empty user agent. */
export const UNKNOWN_USER_AGENT_MAP: UserAgentMap = Object.freeze({
  browser_family: OTHER,
  browser_major: MISSING,
  os_family: OTHER,
  os_major: MISSING,
  os_minor: MISSING,
  device_family: OTHER,
  wmf_app_version: MISSING,
});

/**
 * User agents the parser does not flag that are automated all the same, in the spirit of
 * uap-core's `Spider` device rule.
 */
const BOT_PATTERN =
  /bot\b|bot[/_-]|crawl|spider|slurp|archiver|facebookexternalhit|feedfetcher|mediapartners|headlesschrome|phantomjs|python-requests|python-urllib|\bcurl\/|\bwget\/|libwww|java\/|go-http-client|okhttp|scrapy|httpclient/i;
const APP_VERSION = /WikipediaApp\/(\S+)/;

/** Options of {@link UserAgentParser}. */
export interface UserAgentParserOptions {
  /** Parsed user agents kept. @default 10000 */
  cacheSize?: number;
}

/** Defaults of {@link UserAgentParserOptions}. */
export const USER_AGENT_PARSER_DEFAULTS: Readonly<Required<UserAgentParserOptions>> = Object.freeze({
  cacheSize: 10_000,
});

/** Parse a user agent without the cache. The result is frozen. */
export function parseUserAgentUncached(userAgent: string): UserAgentMap {
  if (userAgent === MISSING || userAgent === '') return UNKNOWN_USER_AGENT_MAP;
  const r = UAParser(userAgent);
  const [osMajor, osMinor] = splitVersion(r.os.version);
  const app = APP_VERSION.exec(userAgent);
  const appVersion = app === null ? MISSING : app[1]!;
  return Object.freeze({
    browser_family: app === null ? r.browser.name || OTHER : APP_FAMILY,
    browser_major: app === null ? r.browser.major || MISSING : appVersion.split('.', 1)[0]!,
    os_family: r.os.name || OTHER,
    os_major: osMajor,
    os_minor: osMinor,
    device_family: BOT_PATTERN.test(userAgent) ? SPIDER : deviceFamily(r.device),
    wmf_app_version: appVersion,
  });
}

function splitVersion(version: string | undefined): [string, string] {
  if (!version) return [MISSING, MISSING];
  const dot = version.indexOf('.');
  if (dot === -1) return [version, MISSING];
  const next = version.indexOf('.', dot + 1);
  return [version.slice(0, dot), version.slice(dot + 1, next === -1 ? undefined : next) || MISSING];
}

function deviceFamily(device: { vendor?: string | undefined; model?: string | undefined }): string {
  if (!device.model) return OTHER;
  if (device.vendor && device.vendor !== 'Apple' && !device.model.startsWith(device.vendor)) return `${device.vendor} ${device.model}`;
  return device.model;
}

/** Parses user agents into `user_agent_map`, caching results. Results are frozen and shared. */
export class UserAgentParser {
  readonly #cache: LruCache<string, UserAgentMap>;

  constructor(options: UserAgentParserOptions = {}) {
    const cacheSize = options.cacheSize ?? USER_AGENT_PARSER_DEFAULTS.cacheSize;
    if (!Number.isInteger(cacheSize) || cacheSize < 1) {
      throw new RangeError(`UserAgentParser cacheSize must be a positive integer, got ${cacheSize}`);
    }
    this.#cache = new LruCache(cacheSize);
  }

  /** The parsed user agent, from the cache when it was seen recently. */
  parse(userAgent: string): UserAgentMap {
    let map = this.#cache.get(userAgent);
    if (map === undefined) {
      map = parseUserAgentUncached(userAgent);
      this.#cache.set(userAgent, map);
    }
    return map;
  }
}
