/**
 * canonicalize: a validated varnishkafka record → a {@link CanonicalRecord}, with the host
 * normalized, `x_analytics` as a map, the user agent parsed, the pageview classified, and
 * `access_method`, `agent_type`, `webrequest_source` and `ts` set. The raw `ip` and
 * `x_forwarded_for` are still there: geotag needs the one and anonymize drops both.
 */
import { accessMethodOf } from './access-method.js';
import { agentTypeOf } from './agent-type.js';
import { parseDt } from './event-time.js';
import { languageVariantOf } from './language-variant.js';
import { LruCache } from './lru-cache.js';
import { cleanHost, normalizeHost } from './normalized-host.js';
import { pageTitleOf } from './page-title.js';
import { isPageview, isPageviewHost, pageviewProjectOf } from './pageview.js';
import { MISSING, type CanonicalRecord, type NormalizedHost, type PageviewInfo, type WebrequestInput } from './schema.js';
import { UserAgentParser } from './user-agent.js';
import { parseXAnalytics } from './x-analytics.js';

/** What canonicalize learns from a host alone; cached per host. */
export interface HostFacts {
  /** The host cleaned by `cleanHost`. */
  readonly host: string;
  /** Frozen, shared by every record of the host. */
  readonly normalized: NormalizedHost;
  readonly isPageviewHost: boolean;
  /** `pageview_info.project` should a request to the host be a pageview. */
  readonly pageviewProject: string;
}

/** Work out the {@link HostFacts} of a raw `uri_host`, uncached. */
export function hostFactsOf(uriHost: string): HostFacts {
  const host = cleanHost(uriHost);
  const normalized = normalizeHost(host);
  Object.freeze(normalized.qualifiers);
  return Object.freeze({
    host,
    normalized: Object.freeze(normalized),
    isPageviewHost: isPageviewHost(host),
    pageviewProject: pageviewProjectOf(host),
  });
}

/** Caches shared by canonicalize calls. Make one per task, or use the process-wide default. */
export class CanonicalizeCaches {
  readonly userAgents: UserAgentParser;
  readonly #hosts: LruCache<string, HostFacts>;

  /** @param sizes entries kept per cache; user agents default to 10000, hosts to 5000 */
  constructor(sizes: { userAgents?: number; hosts?: number } = {}) {
    this.userAgents = new UserAgentParser({ cacheSize: sizes.userAgents ?? 10_000 });
    this.#hosts = new LruCache(sizes.hosts ?? 5_000);
  }

  /** The facts of a raw `uri_host`, from the cache when seen recently. */
  hostFacts(uriHost: string): HostFacts {
    let facts = this.#hosts.get(uriHost);
    if (facts === undefined) {
      facts = hostFactsOf(uriHost);
      this.#hosts.set(uriHost, facts);
    }
    return facts;
  }
}

const defaultCaches = new CanonicalizeCaches();

/** Options of {@link canonicalize}. */
export interface CanonicalizeOptions {
  /** `webrequest_source`, such as `text` or `upload`. */
  source: string;
  /** @default a process-wide instance */
  caches?: CanonicalizeCaches;
}

/**
 * Canonicalize one validated record. Shared sub-objects (`normalized_host`, `user_agent_map`) are
 * frozen; every other field is fresh.
 */
export function canonicalize(input: WebrequestInput, options: CanonicalizeOptions): CanonicalRecord {
  const caches = options.caches ?? defaultCaches;
  const facts = caches.hostFacts(input.uri_host);
  const userAgent = input.user_agent;
  const xAnalytics = parseXAnalytics(input.x_analytics);
  const uaMap = caches.userAgents.parse(userAgent);

  let pageviewInfo: PageviewInfo | null = null;
  const pageview = isPageview(input, facts.host, xAnalytics, facts.isPageviewHost);
  if (pageview) {
    pageviewInfo = {
      project: facts.pageviewProject,
      language_variant: languageVariantOf(input.uri_path),
      page_title: pageTitleOf(input.uri_path, input.uri_query),
    };
  }

  let ts: number | null = null;
  if (input.dt !== MISSING) {
    const ms = parseDt(input.dt);
    if (!Number.isNaN(ms)) ts = ms;
  }

  return {
    hostname: input.hostname,
    sequence: input.sequence,
    dt: input.dt,
    time_firstbyte: input.time_firstbyte,
    ip: input.ip,
    cache_status: input.cache_status,
    http_status: input.http_status,
    response_size: input.response_size,
    http_method: input.http_method,
    uri_host: input.uri_host,
    uri_path: input.uri_path,
    uri_query: input.uri_query,
    content_type: input.content_type,
    referer: input.referer,
    x_forwarded_for: input.x_forwarded_for,
    user_agent: userAgent,
    accept_language: input.accept_language,
    x_analytics: input.x_analytics,
    range: input.range,
    x_cache: input.x_cache,
    accept: input.accept,
    is_pageview: pageview,
    pageview_info: pageviewInfo,
    webrequest_source: options.source,
    normalized_host: facts.normalized,
    x_analytics_map: xAnalytics,
    user_agent_map: uaMap,
    agent_type: agentTypeOf(userAgent, uaMap.device_family),
    access_method: accessMethodOf(facts.host, userAgent),
    ts,
  };
}
