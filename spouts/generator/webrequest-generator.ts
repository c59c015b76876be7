/**
 * A seedable generator of synthetic varnishkafka traffic: JSON lines as Wikimedia's cache hosts
 * send them, each host with its own monotonic `sequence`, across projects, languages, desktop,
 * mobile web and the apps, with bots, IPv4 and IPv6 clients, and a configurable share of
 * malformed lines. The same seed gives the same lines.
 *
 * @example
 * const gen = new WebrequestGenerator({ seed: 42, hosts: 4 });
 * const { line } = gen.next(); // '{"hostname":"cp3050.esams.wmnet","sequence":1,...}'
 */
import { Mulberry32, weightedTable } from './prng.js';
import {
  APP_USER_AGENTS, BOT_USER_AGENTS, DESKTOP_USER_AGENTS, ENCODED_TITLES, HTML_CONTENT_TYPES,
  MOBILE_USER_AGENTS, OTHER_CONTENT_TYPES, QUERY_TITLES, SITES,
} from './webrequest-corpus.js';

/** A synthetic varnishkafka record, shaped as the wire JSON. */
export interface SyntheticWebrequest {
  hostname: string;
  sequence: number;
  dt: string;
  time_firstbyte: number;
  ip: string;
  cache_status: string;
  http_status: string;
  response_size: number;
  http_method: string;
  uri_host: string;
  uri_path: string;
  uri_query: string;
  content_type: string;
  referer: string;
  x_forwarded_for: string;
  user_agent: string;
  accept_language: string;
  x_analytics: string;
  range: string;
  x_cache: string;
  accept: string;
}

/** How a malformed line is broken. */
export type MalformedKind = 'truncated' | 'not-object' | 'missing-field' | 'bad-dt' | 'bad-status' | 'garbage';

/** One generated line. */
export interface GeneratedWebrequest {
  /** The JSON line, without a trailing newline. */
  line: string;
  /** The record the line was made from (before any breakage), when there was one. */
  record: SyntheticWebrequest | undefined;
  /** How the line is broken, or `null` for a well-formed line. */
  malformed: MalformedKind | null;
}

/** Options of {@link WebrequestGenerator}. */
export interface WebrequestGeneratorOptions {
  /** The PRNG seed. @default 1 */
  seed?: number;
  /** The number of cache hosts. @default 8 */
  hosts?: number;
  /** The event time of the first record, epoch milliseconds. @default 2026-11-22T10:00:00Z */
  startMs?: number;
  /** How fast event time advances: records per second of `dt`. @default 1000 */
  recordsPerSecond?: number;
  /** The share of malformed lines, in [0, 1]. @default 0.01 */
  malformedShare?: number;
  /** The share of records whose `dt` is `-`, in [0, 1]. @default 0.001 */
  incompleteShare?: number;
  /** The share of IPv6 clients, in [0, 1]. @default 0.25 */
  ipv6Share?: number;
  /** The share of records whose sequence number is skipped first (simulated loss). @default 0 */
  lossShare?: number;
}

/** Defaults of {@link WebrequestGeneratorOptions}. */
export const WEBREQUEST_GENERATOR_DEFAULTS: Readonly<Required<WebrequestGeneratorOptions>> = Object.freeze({
  seed: 1,
  hosts: 8,
  startMs: Date.UTC(2026, 10, 22, 10, 0, 0),
  recordsPerSecond: 1000,
  malformedShare: 0.01,
  incompleteShare: 0.001,
  ipv6Share: 0.25,
  lossShare: 0,
});

/** Merge and validate generator options. */
export function compileGeneratorOptions(options: WebrequestGeneratorOptions = {}): Required<WebrequestGeneratorOptions> {
  const o = { ...WEBREQUEST_GENERATOR_DEFAULTS, ...options };
  if (!Number.isInteger(o.hosts) || o.hosts < 1 || o.hosts > 10_000) {
    throw new RangeError(`hosts must be an integer from 1 to 10000, got ${o.hosts}`);
  }
  if (!(o.recordsPerSecond > 0)) throw new RangeError(`recordsPerSecond must be above 0, got ${o.recordsPerSecond}`);
  if (!Number.isFinite(o.startMs)) throw new RangeError('startMs must be a finite epoch-millisecond time');
  for (const key of ['malformedShare', 'incompleteShare', 'ipv6Share', 'lossShare'] as const) {
    if (!(o[key] >= 0 && o[key] <= 1)) throw new RangeError(`${key} must be between 0 and 1, got ${o[key]}`);
  }
  return o;
}

type Kind = 'article' | 'app' | 'index' | 'edit' | 'search' | 'special' | 'api' | 'rest' | 'static' | 'preview';

const KINDS = weightedTable<Kind>([
  ['article', 50], ['app', 8], ['index', 4], ['edit', 1], ['search', 2], ['special', 2],
  ['api', 10], ['rest', 4], ['static', 12], ['preview', 1],
]);
const STATUSES = weightedTable<string>([['200', 88], ['304', 5], ['301', 3], ['404', 3], ['500', 1]]);
const MALFORMED = weightedTable<MalformedKind>([
  ['truncated', 4], ['not-object', 1], ['missing-field', 2], ['bad-dt', 1], ['bad-status', 1], ['garbage', 1],
]);
const CACHE_STATUSES = ['hit-front', 'hit-local', 'miss', 'pass', 'int-front'] as const;
const LANGUAGES = ['en-US,en;q=0.9', 'de-DE,de;q=0.9,en;q=0.8', 'ja,en;q=0.8', 'fr-FR', '-'] as const;
const SPECIALS = [['RecentChanges', 'Special:RecentChanges'], ['Watchlist', 'Special:Watchlist'], ['Version', 'Special:Version']] as const;
const SITES_PER_DC = ['esams', 'eqiad', 'codfw', 'ulsfo', 'eqsin', 'drmrs', 'magru'] as const;

/** Generates synthetic varnishkafka lines. Deterministic for a seed and options. */
export class WebrequestGenerator {
  readonly #o: Required<WebrequestGeneratorOptions>;
  readonly #rng: Mulberry32;
  readonly #hostnames: string[];
  readonly #sequences: number[];
  #count = 0;
  #lastSecond = Number.NaN;
  #lastDt = '';

  constructor(options: WebrequestGeneratorOptions = {}) {
    this.#o = compileGeneratorOptions(options);
    this.#rng = new Mulberry32(this.#o.seed);
    this.#hostnames = Array.from({ length: this.#o.hosts }, (_, i) => `cp${3050 + i}.${SITES_PER_DC[i % SITES_PER_DC.length]}.wmnet`);
    this.#sequences = this.#hostnames.map(() => 0);
  }

  /** How many lines have been generated. */
  get count(): number {
    return this.#count;
  }

  /** The cache host names, in order. */
  get hostnames(): readonly string[] {
    return this.#hostnames;
  }

  /** The next line, as JSON. */
  nextLine(): string {
    return this.next().line;
  }

  /** The next line, with the record it came from and how it is broken, if it is. */
  next(): GeneratedWebrequest {
    const rng = this.#rng;
    const record = this.#record();
    this.#count++;
    if (!rng.chance(this.#o.malformedShare)) return { line: JSON.stringify(record), record, malformed: null };
    const kind = rng.weighted(MALFORMED);
    return { line: this.#break(record, kind), record, malformed: kind };
  }

  #record(): SyntheticWebrequest {
    const rng = this.#rng;
    const h = rng.int(this.#hostnames.length);
    if (this.#o.lossShare > 0 && rng.chance(this.#o.lossShare)) this.#sequences[h]!++;
    const sequence = ++this.#sequences[h]!;
    const site = rng.weighted(SITES);
    const kind = rng.weighted(KINDS);
    const bot = kind !== 'app' && rng.chance(0.15);
    const mobile = kind === 'app' || (!bot && rng.chance(0.45));
    const ua = kind === 'app' ? rng.pick(APP_USER_AGENTS) : bot ? rng.pick(BOT_USER_AGENTS) : rng.pick(mobile ? MOBILE_USER_AGENTS : DESKTOP_USER_AGENTS);
    const host = mobile ? site.mobile : site.desktop;
    const t = rng.int(ENCODED_TITLES.length);
    const status = rng.weighted(STATUSES);
    let path = `/wiki/${ENCODED_TITLES[t]}`;
    let query = '';
    let contentType = rng.pick(HTML_CONTENT_TYPES);
    let xa = `ns=0;page_id=${rng.range(1, 9_999_999)};https=1`;
    switch (kind) {
      case 'article':
        if (site.variants.length > 0 && rng.chance(0.5)) path = `/${rng.pick(site.variants)}/${ENCODED_TITLES[t]}`;
        break;
      case 'app':
        path = `/api/rest_v1/page/mobile-html/${ENCODED_TITLES[t]}`;
        contentType = 'text/html; charset=utf-8';
        xa = rng.chance(0.9) ? `pageview=1;${xa}` : xa;
        break;
      case 'index':
        path = '/w/index.php';
        query = `?title=${QUERY_TITLES[t]}${rng.chance(0.3) ? `&oldid=${rng.range(1, 1_200_000_000)}` : ''}`;
        break;
      case 'edit':
        path = '/w/index.php';
        query = `?title=${QUERY_TITLES[t]}&action=${rng.chance(0.8) ? 'edit' : 'submit'}`;
        break;
      case 'search':
        path = '/w/index.php';
        query = `?search=${QUERY_TITLES[t]}&title=Special%3ASearch`;
        xa = `special=Search;${xa}`;
        break;
      case 'special': {
        const [name, title] = rng.pick(SPECIALS);
        path = `/wiki/${title}`;
        xa = `special=${name};${xa}`;
        break;
      }
      case 'api':
        path = '/w/api.php';
        query = `?action=query&format=json&titles=${QUERY_TITLES[t]}`;
        contentType = OTHER_CONTENT_TYPES[0]!;
        break;
      case 'rest':
        path = `/api/rest_v1/page/summary/${ENCODED_TITLES[t]}`;
        contentType = OTHER_CONTENT_TYPES[0]!;
        break;
      case 'static':
        path = rng.chance(0.5) ? '/w/load.php' : `/static/images/icons/${rng.range(1, 400)}.svg`;
        query = path === '/w/load.php' ? `?lang=en&modules=startup&only=scripts&skin=vector-2022` : '';
        contentType = path === '/w/load.php' ? OTHER_CONTENT_TYPES[1]! : OTHER_CONTENT_TYPES[4]!;
        xa = '-';
        break;
      case 'preview':
        path = '/w/index.php';
        query = `?title=${QUERY_TITLES[t]}&action=submit`;
        xa = `preview=1;${xa}`;
        break;
    }
    if (status === '301' || status === '404' || status === '500') contentType = 'text/html; charset=utf-8';
    if (status === '304') contentType = '-';
    const ip = this.#ip();
    return {
      hostname: this.#hostnames[h]!,
      sequence,
      dt: rng.chance(this.#o.incompleteShare) ? '-' : this.#dt(),
      time_firstbyte: Math.round(rng.next() * rng.next() * 2_000_000) / 1e6,
      ip,
      cache_status: rng.pick(CACHE_STATUSES),
      http_status: status,
      response_size: status === '304' ? 0 : rng.range(200, 250_000),
      http_method: kind === 'edit' && query.endsWith('submit') ? 'POST' : 'GET',
      uri_host: host,
      uri_path: path,
      uri_query: query,
      content_type: contentType,
      referer: rng.chance(0.4) ? `https://${host}/wiki/${ENCODED_TITLES[rng.int(ENCODED_TITLES.length)]}` : '-',
      x_forwarded_for: rng.chance(0.1) ? `${ip}, ${this.#ipv4()}` : '-',
      user_agent: ua,
      accept_language: rng.pick(LANGUAGES),
      x_analytics: xa,
      range: '-',
      x_cache: `cp${rng.range(1001, 6099)} miss, cp${rng.range(3050, 3066)} hit/${rng.range(1, 9)}`,
      accept: contentType.startsWith('text/html') ? 'text/html,application/xhtml+xml' : '*/*',
    };
  }

  #dt(): string {
    const ms = this.#o.startMs + (this.#count * 1000) / this.#o.recordsPerSecond;
    const second = Math.floor(ms / 1000);
    if (second !== this.#lastSecond) {
      this.#lastSecond = second;
      this.#lastDt = `${new Date(second * 1000).toISOString().slice(0, 19)}Z`;
    }
    return this.#lastDt;
  }

  #ip(): string {
    return this.#rng.chance(this.#o.ipv6Share) ? this.#ipv6() : this.#ipv4();
  }

  #ipv4(): string {
    const rng = this.#rng;
    let a: number;
    do a = rng.range(1, 223);
    while (a === 10 || a === 100 || a === 127 || a === 169 || a === 172 || a === 192 || a === 198);
    return `${a}.${rng.int(256)}.${rng.int(256)}.${rng.range(1, 254)}`;
  }

  #ipv6(): string {
    const rng = this.#rng;
    const hex = (): string => rng.int(0x10000).toString(16);
    return `${rng.pick(['2001:4860', '2a02:2f0e', '2600:1700', '2409:8a1e', '2a01:e0a'])}:${hex()}:${hex()}::${hex()}`;
  }

  #break(record: SyntheticWebrequest, kind: MalformedKind): string {
    const rng = this.#rng;
    switch (kind) {
      case 'truncated': {
        const line = JSON.stringify(record);
        return line.slice(0, rng.range(1, line.length - 2));
      }
      case 'not-object':
        return rng.chance(0.5) ? '["not","an","object"]' : '"just a string"';
      case 'missing-field': {
        const copy: Partial<SyntheticWebrequest> = { ...record };
        delete copy[rng.pick(['hostname', 'sequence', 'http_status', 'dt'] as const)];
        return JSON.stringify(copy);
      }
      case 'bad-dt':
        return JSON.stringify({ ...record, dt: rng.pick(['yesterday', '2026-13-45T99:00:00Z', '1700000000']) });
      case 'bad-status':
        return JSON.stringify({ ...record, http_status: Number(record.http_status) });
      case 'garbage':
        return '\u0000\u0001\u0002 not json at all';
    }
  }
}
