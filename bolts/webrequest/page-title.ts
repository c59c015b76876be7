/**
 * `pageview_info.page_title`, from the query's `title=`, the article path, or `page=`; then
 * percent-decoded, spaces as `_`, and `-` when the result is not a valid title.
 */
import { MISSING } from './schema.js';

/** The longest valid title, in UTF-8 bytes. */
export const MAX_TITLE_BYTES = 512;

const REST_PREFIXES: readonly string[] = [
  '/api/rest_v1/page/mobile-sections-lead/',
  '/api/rest_v1/page/mobile-sections/',
  '/api/rest_v1/page/mobile-html/',
];

// eslint-disable-next-line no-control-regex -- the spec rejects titles holding control characters
const INVALID_TITLE = /[#<>[\]{}|\x00-\x1f\x7f]/;
const SPACES = / /g;
const PLUSES = /\+/g;

/** The value of the first `name=` parameter of a query (with or without its leading `?`). */
export function queryParam(uriQuery: string, name: string): string | undefined {
  const key = `${name}=`;
  let i = 0;
  for (;;) {
    const at = uriQuery.indexOf(key, i);
    if (at === -1) return undefined;
    const before = at === 0 ? 38 /* & */ : uriQuery.charCodeAt(at - 1);
    if (before === 38 /* & */ || before === 63 /* ? */) {
      const start = at + key.length;
      const end = uriQuery.indexOf('&', start);
      return end === -1 ? uriQuery.slice(start) : uriQuery.slice(start, end);
    }
    i = at + 1;
  }
}

function isArticlePath(path: string): boolean {
  if (path.includes('/wiki/') && !path.includes('index.')) return true;
  if (path.includes('/w/index.php/')) return true;
  for (const prefix of REST_PREFIXES) if (path.startsWith(prefix)) return true;
  return false;
}

/**
 * The raw (undecoded) title carried by a path: what follows a REST prefix, `/wiki/`,
 * `/w/index.php/` or `/w/`; the last segment of a `/view/` path; otherwise what follows the
 * second `/`.
 */
export function titleFromPath(uriPath: string): string {
  let path = uriPath;
  const q = path.indexOf('?');
  if (q !== -1) path = path.slice(0, q);
  const hash = path.indexOf('#');
  if (hash !== -1) path = path.slice(0, hash);
  for (const prefix of REST_PREFIXES) if (path.startsWith(prefix)) return path.slice(prefix.length);
  const wiki = path.indexOf('/wiki/');
  if (wiki !== -1) return path.slice(wiki + 6);
  const indexPhp = path.indexOf('/w/index.php/');
  if (indexPhp !== -1) return path.slice(indexPhp + 13);
  if (path.startsWith('/w/')) return path.slice(3);
  if (path.startsWith('/view/')) return path.slice(path.lastIndexOf('/') + 1);
  const second = path.indexOf('/', 1);
  return second === -1 ? '' : path.slice(second + 1);
}

/** Percent-decode; a malformed escape leaves the text as it was. */
function percentDecode(s: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Finish a raw title: percent-decode, spaces to `_`, and `-` when it is empty, longer than
 * {@link MAX_TITLE_BYTES} UTF-8 bytes, or holds `#<>[]{}|` or a control character.
 */
export function finishTitle(raw: string): string {
  let title = percentDecode(raw);
  if (title.includes(' ')) title = title.replace(SPACES, '_');
  if (title === '' || INVALID_TITLE.test(title)) return MISSING;
  if (title.length * 3 > MAX_TITLE_BYTES && Buffer.byteLength(title, 'utf8') > MAX_TITLE_BYTES) return MISSING;
  return title;
}

/** `pageview_info.page_title` of a request, per the spec. */
export function pageTitleOf(uriPath: string, uriQuery: string): string {
  const title = queryParam(uriQuery, 'title');
  if (title !== undefined) return finishTitle(title.includes('+') ? title.replace(PLUSES, '_') : title);
  if (isArticlePath(uriPath)) return finishTitle(titleFromPath(uriPath));
  const page = queryParam(uriQuery, 'page');
  if (page !== undefined) return finishTitle(page);
  if (!uriPath.includes('index.')) return finishTitle(titleFromPath(uriPath));
  return MISSING;
}
