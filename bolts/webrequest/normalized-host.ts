/**
 * Host names: the cleaning every rule starts from, and the spec's `normalized_host`.
 */
import { MISSING, type NormalizedHost } from './schema.js';

/** Host labels that qualify a project rather than name one. */
export const HOST_QUALIFIERS: ReadonlySet<string> = new Set(['m', 'mobile', 'wap', 'zero', 'download']);

const NUMERIC_LABEL = /^\d+$/;
const REPEATED_DOTS = /\.{2,}/g;

/**
 * Clean a host for the rules: trim, lowercase, drop a `:port` and a trailing dot
 * (`EN.Wikipedia.org.:443` → `en.wikipedia.org`). A bracketed IPv6 literal keeps its brackets.
 */
export function cleanHost(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.charCodeAt(0) === 91 /* [ */) {
    const close = h.indexOf(']');
    return close === -1 ? h : h.slice(0, close + 1);
  }
  const colon = h.indexOf(':');
  if (colon !== -1) h = h.slice(0, colon);
  while (h.length > 0 && h.charCodeAt(h.length - 1) === 46 /* . */) h = h.slice(0, -1);
  return h;
}

/** The `normalized_host` of a host that has no project: every value `-`. */
export const EMPTY_NORMALIZED_HOST: NormalizedHost = Object.freeze({
  project_class: MISSING,
  project: MISSING,
  qualifiers: Object.freeze([]) as unknown as string[],
  tld: MISSING,
  project_family: MISSING,
});

/**
 * Split a host into `normalized_host` per the spec: `en.m.wikipedia.org` →
 * `{ project_class: 'wikipedia', project: 'en', qualifiers: ['m'], tld: 'org', project_family: 'wikipedia' }`.
 * A single-label host, an IP address or `-` gives {@link EMPTY_NORMALIZED_HOST}. The result is a
 * fresh object; callers may cache and share it frozen.
 */
export function normalizeHost(host: string): NormalizedHost {
  let h = cleanHost(host);
  if (h.includes('..')) h = h.replace(REPEATED_DOTS, '.');
  if (h.charCodeAt(0) === 46 /* . */) h = h.slice(1);
  const labels = h.split('.');
  const n = labels.length;
  if (n < 2 || h === MISSING || NUMERIC_LABEL.test(labels[n - 1]!) || h.charCodeAt(0) === 91) {
    return EMPTY_NORMALIZED_HOST;
  }
  const tld = labels[n - 1]!;
  const family = labels[n - 2]!;
  let project = MISSING;
  const qualifiers: string[] = [];
  for (let i = 0; i < n - 2; i++) {
    const label = labels[i]!;
    if (i === 0) {
      if (label === 'www') continue;
      if (!HOST_QUALIFIERS.has(label)) {
        project = label;
        continue;
      }
    }
    qualifiers.push(label);
  }
  return { project_class: family, project, qualifiers, tld, project_family: family };
}
