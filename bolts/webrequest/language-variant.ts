/**
 * `pageview_info.language_variant`, from the request path: `/sr-ec/Foo` → `sr-ec`,
 * `/wiki/Foo` → `default`, `/w/api.php` → `-`.
 */
import { MISSING } from './schema.js';

/** The variant of a path that names none. */
export const DEFAULT_VARIANT = 'default';

const REPEATED_SLASHES = /\/{2,}/g;

/**
 * Normalize a path for the variant rule: drop a leading `scheme://host`, cut at `?`, and collapse
 * runs of `/`.
 */
export function normalizeVariantPath(uriPath: string): string {
  let path = uriPath;
  if (path.startsWith('http')) {
    const scheme = path.indexOf('://');
    const hostStart = scheme === -1 ? 0 : scheme + 3;
    const slash = path.indexOf('/', hostStart);
    path = slash === -1 ? '/' : path.slice(slash);
  }
  const q = path.indexOf('?');
  if (q !== -1) path = path.slice(0, q);
  if (path.includes('//')) path = path.replace(REPEATED_SLASHES, '/');
  return path;
}

/** The language variant of a request path, per the spec. */
export function languageVariantOf(uriPath: string): string {
  const path = normalizeVariantPath(uriPath);
  if (path.startsWith('/w/api.php')) return MISSING;
  if (
    path === '/' ||
    path === '/wiki' ||
    path === '/w' ||
    path.startsWith('/wiki/') ||
    path.startsWith('/w/') ||
    path.startsWith('/api/rest_v')
  ) {
    return DEFAULT_VARIANT;
  }
  if (path.startsWith('/view/')) {
    const end = path.indexOf('/', 6);
    const lv = end === -1 ? path.slice(6) : path.slice(6, end);
    return lv === '' ? DEFAULT_VARIANT : lv;
  }
  const start = path.charCodeAt(0) === 47 /* / */ ? 1 : 0;
  let end = path.indexOf('/', start);
  if (end === -1) end = path.length;
  const segment = path.slice(start, end);
  return segment.includes('-') ? segment : DEFAULT_VARIANT;
}
