/**
 * The vocabulary of synthetic webrequests: sites, titles, user agents and content types, with
 * weights that loosely follow Wikimedia's traffic mix. Everything here is built once at load.
 */
import { weightedTable, type WeightedTable } from './prng.js';

/** How a synthetic request reaches the site. */
export type SyntheticAccess = 'desktop' | 'mobile web' | 'mobile app';

/** A project that synthetic requests go to. */
export interface SyntheticSite {
  /** The desktop host, such as `en.wikipedia.org`. */
  readonly desktop: string;
  /** The mobile host, such as `en.m.wikipedia.org`. */
  readonly mobile: string;
  /** A language variant prefix for article paths, such as `sr-ec`, when the wiki has variants. */
  readonly variants: readonly string[];
}

const site = (desktop: string, mobile: string, variants: readonly string[] = []): SyntheticSite => ({
  desktop,
  mobile,
  variants,
});

const wiki = (lang: string, family: string, variants: readonly string[] = []): SyntheticSite =>
  site(`${lang}.${family}.org`, `${lang}.m.${family}.org`, variants);

/** The sites, weighted by share of traffic. */
export const SITES: WeightedTable<SyntheticSite> = weightedTable([
  [wiki('en', 'wikipedia'), 40],
  [wiki('de', 'wikipedia'), 8],
  [wiki('ja', 'wikipedia'), 7],
  [wiki('fr', 'wikipedia'), 6],
  [wiki('ru', 'wikipedia'), 6],
  [wiki('es', 'wikipedia'), 6],
  [wiki('zh', 'wikipedia', ['zh-hans', 'zh-hant', 'zh-tw', 'zh-cn']), 3],
  [wiki('sr', 'wikipedia', ['sr-ec', 'sr-el']), 1],
  [wiki('it', 'wikipedia'), 3],
  [wiki('pl', 'wikipedia'), 2],
  [wiki('ar', 'wikipedia'), 2],
  [wiki('en', 'wiktionary'), 2],
  [wiki('de', 'wikibooks'), 1],
  [wiki('en', 'wikivoyage'), 1],
  [wiki('fr', 'wikisource'), 1],
  [wiki('en', 'wikiquote'), 1],
  [wiki('en', 'wikinews'), 0.5],
  [wiki('en', 'wikiversity'), 0.5],
  [wiki('commons', 'wikimedia'), 3],
  [wiki('meta', 'wikimedia'), 0.5],
  [wiki('species', 'wikimedia'), 0.2],
  [site('www.wikidata.org', 'm.wikidata.org'), 3],
  [site('www.mediawiki.org', 'm.mediawiki.org'), 0.5],
  [site('wikimediafoundation.org', 'wikimediafoundation.org'), 0.2],
  [site('www.wikifunctions.org', 'm.wikifunctions.org'), 0.2],
  [site('donate.wikimedia.org', 'donate.m.wikimedia.org'), 0.2],
  [site('www.wikipedia.org', 'www.wikipedia.org'), 1],
  [site('example.org', 'm.example.org'), 0.2],
]);

/** Page titles as MediaWiki spells them, with spaces as `_`. */
export const TITLES: readonly string[] = [
  'Main_Page', 'Albert_Einstein', 'Zürich', 'São_Paulo', '東京都', 'Москва', 'C++', 'AC/DC',
  "Rock_'n'_roll", 'Ελλάδα', 'Category:Physics', 'Talk:Python_(programming_language)', 'Dune_(novel)',
  'Beyoncé', 'Kraków', 'القاهرة', '100%_Pure', 'Who_Framed_Roger_Rabbit?', 'Ærø', 'Über_uns',
  'Marie_Curie', 'Photosynthesis', 'World_War_II', 'List_of_highest_mountains_on_Earth', 'Ada_Lovelace',
  'Wikipedia:About', 'Help:Contents', 'Naïve_Bayes_classifier', 'Smørrebrød', '北京市', 'Ñandú', 'Ice_hockey',
  'The_Beatles', 'Taylor_Swift', 'Climate_change', 'Q42', 'Black_hole', 'Mount_Everest', 'Oxygen', 'Tokyo',
];

/** Encode a title for a URL path the way MediaWiki does: `:`, `/` and a few more stay literal. */
export function wikiUrlEncode(title: string): string {
  return encodeURIComponent(title)
    .replace(/%3A/g, ':')
    .replace(/%2F/g, '/')
    .replace(/%2C/g, ',')
    .replace(/%40/g, '@')
    .replace(/%24/g, '$')
    .replace(/%21/g, '!')
    .replace(/%2A/g, '*')
    .replace(/%28/g, '(')
    .replace(/%29/g, ')')
    .replace(/%3B/g, ';');
}

/** {@link TITLES}, encoded for paths. */
export const ENCODED_TITLES: readonly string[] = TITLES.map(wikiUrlEncode);

/** {@link TITLES}, encoded for a `title=` query parameter: `_` as `+`. */
export const QUERY_TITLES: readonly string[] = TITLES.map((t) => encodeURIComponent(t.replace(/_/g, ' ')).replace(/%20/g, '+'));

const chrome = (os: string, major: number): string =>
  `Mozilla/5.0 (${os}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${major}.0.0.0 Safari/537.36`;

const browserUserAgents: string[] = [];
for (let major = 112; major <= 126; major++) {
  browserUserAgents.push(chrome('Windows NT 10.0; Win64; x64', major), chrome('Macintosh; Intel Mac OS X 10_15_7', major));
  browserUserAgents.push(`Mozilla/5.0 (X11; Linux x86_64; rv:${major}.0) Gecko/20100101 Firefox/${major}.0`);
}

const mobileUserAgents: string[] = [];
for (let minor = 0; minor <= 6; minor++) {
  mobileUserAgents.push(
    `Mozilla/5.0 (iPhone; CPU iPhone OS 17_${minor} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.${minor} Mobile/15E148 Safari/604.1`,
  );
}
for (const model of ['SM-S901B', 'SM-G991B', 'Pixel 7', 'K']) {
  mobileUserAgents.push(
    `Mozilla/5.0 (Linux; Android 13; ${model}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36`,
  );
}

/** Browser user agents for desktop requests. */
export const DESKTOP_USER_AGENTS: readonly string[] = browserUserAgents;

/** Browser user agents for mobile web requests. */
export const MOBILE_USER_AGENTS: readonly string[] = mobileUserAgents;

/** Wikipedia app user agents. */
export const APP_USER_AGENTS: readonly string[] = [
  'WikipediaApp/7.4.2.2424 (Android 13; Phone) Google Play',
  'WikipediaApp/7.5.0.2460 (Android 14; Phone) Google Play',
  'WikipediaApp/7.5.1.1591 (iOS 17.4.1; Phone)',
  'WikipediaApp/7.4.9.1572 (iPadOS 17.3; Tablet)',
];

/** Automated user agents. */
export const BOT_USER_AGENTS: readonly string[] = [
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
  'Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)',
  'python-requests/2.31.0',
  'curl/8.5.0',
  'Wget/1.21.4',
  'ResearchCrawler/0.3 (someone@example.org)',
  'Java/17.0.2',
  '-',
];

/** Content types of responses that are not articles. */
export const OTHER_CONTENT_TYPES: readonly string[] = [
  'application/json; charset=utf-8',
  'text/javascript; charset=utf-8',
  'text/css; charset=utf-8',
  'image/png',
  'image/svg+xml',
];

/** HTML content types, as MediaWiki sends them. */
export const HTML_CONTENT_TYPES: readonly string[] = ['text/html; charset=UTF-8', 'text/html; charset=utf-8', 'text/html'];
