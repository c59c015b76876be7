/**
 * Wikimedia's pageview definition, per the spec: `is_pageview` and `pageview_info.project`.
 * The language variant and the page title live in `language-variant.ts` and `page-title.ts`.
 *
 * Host arguments are cleaned by `cleanHost` (lowercase, no port, no trailing dot).
 */
import { HOST_QUALIFIERS } from './normalized-host.js';
import { MISSING, type WebrequestInput } from './schema.js';

const WIKIMEDIA_DOMAIN =
  /(?:^|\.)(?:wikimedia|wikibooks|wikinews|wikipedia|wikiquote|wikisource|wiktionary|wikiversity|wikivoyage|wikidata|mediawiki|wikimediafoundation|wikifunctions)\.org$/i;

const PAGEVIEW_HOSTS: readonly RegExp[] = [
  /^(?!doc)(advisory|commons|foundation|incubator|meta|outreach|species|strategy|usability|wikimania|wikitech|[a-zA-Z]{2,3})\.((m|mobile|wap|zero)\.)?wikimedia\.org$/i,
  /^((?!www)(?!donate)(?!arbcom)(?!sysop)([a-zA-Z][a-zA-Z0-9-_]*)\.)*(wik(ibooks|inews|ipedia|iquote|isource|tionary|iversity|ivoyage))\.org$/i,
  /^((?!test)(?!query)([a-zA-Z0-9-_]+)\.)*(wikifunctions|wikidata|mediawiki|wikimediafoundation)\.org$/i,
];

const HTML_CONTENT_TYPES: ReadonlySet<string> = new Set([
  'text/html',
  'text/html; charset=iso-8859-1',
  'text/html; charset=ISO-8859-1',
  'text/html; charset=utf-8',
  'text/html; charset=UTF-8',
]);

const PAGEVIEW_PATH = /^(\/sr(-(ec|el))?|\/w(iki)?|\/v(iew)?|\/zh(-(cn|hans|hant|hk|mo|my|sg|tw))?)\//i;
const PAGEVIEW_QUERY = /\?((cur|old)id|title|search)=/i;
const EDIT_QUERY = /action=edit|action=submit/i;

const CONTENT_SPECIAL_PAGES: ReadonlySet<string> = new Set([
  'search',
  'recentchanges',
  'version',
  'viewobject',
  'allevents',
]);

/** True when the host is one of Wikimedia's pageview hosts (rules 2 and 3). */
export function isPageviewHost(host: string): boolean {
  if (!WIKIMEDIA_DOMAIN.test(host)) return false;
  for (const pattern of PAGEVIEW_HOSTS) if (pattern.test(host)) return true;
  return false;
}

/**
 * `pageview_info.project`: `en.wikipedia.org` → `en.wikipedia`, `en.m.wikipedia.org` →
 * `en.wikipedia`, `www.wikidata.org` → `wikidata`, `wikidata.org` → `wikidata`; a host of more
 * than five or fewer than two labels gives `-`.
 */
export function pageviewProjectOf(host: string): string {
  const labels = host.split('.');
  const n = labels.length;
  if (n < 2 || n > 5) return MISSING;
  const family = labels[n - 2]!;
  const first = labels[0]!;
  if (n === 2 || first === 'www' || HOST_QUALIFIERS.has(first)) return family;
  return `${first}.${family}`;
}

/**
 * Rule 4: does the request consume content, judged from `x_analytics_map`? `preview` or `debug`
 * say no; a `special` page must be one of search, recentchanges, version, viewobject, allevents.
 */
export function consumesContent(xAnalytics: Readonly<Record<string, string>>): boolean {
  if (xAnalytics.preview !== undefined || xAnalytics.debug !== undefined) return false;
  const special = xAnalytics.special;
  return special === undefined || CONTENT_SPECIAL_PAGES.has(special.toLowerCase());
}

/** Rule 5, web: HTML content, no `api.php`, an article path or query, and no edit action. */
export function isWebPageviewRequest(contentType: string, uriPath: string, uriQuery: string): boolean {
  return (
    HTML_CONTENT_TYPES.has(contentType) &&
    !uriPath.includes('api.php') &&
    (PAGEVIEW_PATH.test(uriPath) || PAGEVIEW_QUERY.test(uriQuery)) &&
    !EDIT_QUERY.test(uriQuery)
  );
}

/** Rule 5, app: the Wikipedia app marked the request with `pageview=1` in `x_analytics`. */
export function isAppPageviewRequest(userAgent: string, xAnalytics: Readonly<Record<string, string>>): boolean {
  return userAgent.includes('WikipediaApp') && xAnalytics.pageview === '1';
}

/** The request fields, besides host and `x_analytics_map`, that decide `is_pageview`. */
export type PageviewRequest = Pick<WebrequestInput, 'http_status' | 'content_type' | 'uri_path' | 'uri_query' | 'user_agent'>;

/**
 * `is_pageview`: every one of the spec's five rules holds. `host` is cleaned by `cleanHost`.
 * Pass `hostIsPageviewHost` when it is already known (for example cached per host) to skip the
 * host patterns.
 */
export function isPageview(
  req: PageviewRequest,
  host: string,
  xAnalytics: Readonly<Record<string, string>>,
  hostIsPageviewHost?: boolean,
): boolean {
  const status = req.http_status;
  if (status !== '200' && status !== '304') return false;
  if (!(hostIsPageviewHost ?? isPageviewHost(host))) return false;
  if (!consumesContent(xAnalytics)) return false;
  if (req.user_agent.includes('WikipediaApp')) return isAppPageviewRequest(req.user_agent, xAnalytics);
  return isWebPageviewRequest(req.content_type, req.uri_path, req.uri_query);
}
