/**
 * `agent_type`: `spider` for automated agents by the spec's user-agent rules, `user` otherwise.
 */
import { MISSING, type AgentType } from './schema.js';

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Substrings that mark a user agent as automated, compared without regard to case. */
export const SPIDER_UA_CONTAINS: readonly string[] = Object.freeze([
  'bot', 'spider', 'WordPress', 'AppEngine', 'AppleDictionaryService', 'Python-urllib',
  'python-requests', 'Google-HTTP-Java-Client', 'facebook', 'yahoo', 'RockPeaks', 'PhantomJS', 'http',
]);

/** Prefixes that mark a user agent as automated, compared without regard to case. */
export const SPIDER_UA_PREFIXES: readonly string[] = Object.freeze([
  'goo wikipedia', 'MediaWikiCrawler-Google', 'wikiwix-bot', 'Java/', 'curl', 'PHP/', 'Faraday',
  'HTTPC', 'Ruby', '.NET', 'Python', 'Apache', 'Scrapy', 'PycURL', 'libwww', 'Zend', 'wget', 'nodemw',
  'WinHttpRaw', 'Twisted', 'com.eusoft', 'Lagotto', 'Peggo', 'Recuweb', 'check_http', 'Magnus', 'MLD',
  'Jakarta', 'find-link', 'J. River', 'projectplan9', 'ADmantX', 'httpunit', 'LWP', 'iNaturalist',
  'WikiDemo', 'FSResearchIt', 'livedoor', 'Microsoft Monitoring', 'MediaWiki', 'User:', 'User_talk:',
  'github', 'tools.wmflabs.org', 'Blackboard Safeassign', 'Damn Small XSS', 'MeetingRoomApp',
]);

const CONTAINS = new RegExp(SPIDER_UA_CONTAINS.map(escape).join('|'), 'i');
const PREFIX = new RegExp(`^(?:${SPIDER_UA_PREFIXES.map(escape).join('|')})`, 'i');
const EMAIL_PREFIX = /^\S+@\S+\.[a-zA-Z]{2,3}/;

/** True when the user agent alone marks the request as automated, by the spec's lists. */
export function isSpiderUserAgent(userAgent: string): boolean {
  if (userAgent === MISSING || userAgent === '') return true;
  if (CONTAINS.test(userAgent) || PREFIX.test(userAgent)) return true;
  return userAgent.includes('@') && EMAIL_PREFIX.test(userAgent);
}

/**
 * `spider` when the user agent is automated by the spec's lists or the user-agent parser gave the
 * device family `Spider`; `user` otherwise.
 */
export function agentTypeOf(userAgent: string, deviceFamily: string): AgentType {
  return deviceFamily === 'Spider' || isSpiderUserAgent(userAgent) ? 'spider' : 'user';
}
