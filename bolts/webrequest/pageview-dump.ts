/**
 * Hourly pageview dumps: lines of `<domain_code> <page_title> <count> 0`, counting only
 * pageviews by `agent_type = user`, sorted.
 */
import { MISSING, type AccessMethod, type AgentType, type PageviewInfo } from './schema.js';

/** The dump suffix of each project family. Families not listed (wikifunctions) are not dumped. */
export const FAMILY_SUFFIXES: Readonly<Record<string, string>> = Object.freeze({
  wikipedia: '',
  wikibooks: '.b',
  wiktionary: '.d',
  wikimediafoundation: '.f',
  wikimedia: '.m',
  wikinews: '.n',
  wikiquote: '.q',
  wikisource: '.s',
  wikiversity: '.v',
  wikivoyage: '.voy',
  mediawiki: '.w',
  wikidata: '.wd',
});

/**
 * The `domain_code` of a project (`pageview_info.project`): the language part, `.m` for mobile
 * web or app, then the family suffix. A project with no language part uses `www` on desktop and
 * `m` on mobile. `en.wikipedia` → `en` / `en.m`; `commons.wikimedia` → `commons.m` /
 * `commons.m.m`; `wikidata` → `www.wd` / `m.wd`.
 * @returns the code, or `undefined` for a family without a suffix or a `-` project
 */
export function domainCodeOf(project: string, accessMethod: AccessMethod): string | undefined {
  if (project === MISSING || project === '') return undefined;
  const mobile = accessMethod !== 'desktop';
  const dot = project.lastIndexOf('.');
  const family = dot === -1 ? project : project.slice(dot + 1);
  const suffix = FAMILY_SUFFIXES[family];
  if (suffix === undefined || !Object.prototype.hasOwnProperty.call(FAMILY_SUFFIXES, family)) return undefined;
  if (dot === -1) return (mobile ? 'm' : 'www') + suffix;
  return project.slice(0, dot) + (mobile ? '.m' : '') + suffix;
}

/** The fields of a refined record that pageview counting reads. */
export interface PageviewCountable {
  is_pageview: boolean;
  agent_type: AgentType;
  access_method: AccessMethod;
  pageview_info: PageviewInfo | null;
}

/** Counts pageviews per (domain_code, page_title), for one hour's dump. Mergeable. */
export class PageviewCounter {
  readonly #counts = new Map<string, number>();

  /**
   * Count a record when it is a pageview by a user with a dumpable project.
   * @returns whether it was counted
   */
  add(record: PageviewCountable): boolean {
    const info = record.pageview_info;
    if (!record.is_pageview || record.agent_type !== 'user' || info === null) return false;
    const code = domainCodeOf(info.project, record.access_method);
    if (code === undefined) return false;
    const key = `${code} ${info.page_title}`;
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
    return true;
  }

  /** Fold another counter into this one. */
  merge(other: PageviewCounter): this {
    for (const [key, n] of other.#counts) this.#counts.set(key, (this.#counts.get(key) ?? 0) + n);
    return this;
  }

  /** The number of distinct (domain_code, page_title) pairs. */
  get size(): number {
    return this.#counts.size;
  }

  /**
   * The dump lines, sorted by domain code then title (by UTF-16 code unit, so the order does not
   * depend on the locale), without trailing newlines.
   */
  lines(): string[] {
    const keys = [...this.#counts.keys()].sort(compareCodeUnits);
    return keys.map((key) => `${key} ${this.#counts.get(key)!} 0`);
  }
}

// Keys are `<code> <title>`, and neither holds a space, so ordering keys orders code then title.
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
