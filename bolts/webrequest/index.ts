/**
 * The webrequest refinery's logic, free of the engine: parse, canonicalize, geotag and anonymize
 * varnishkafka lines, check sequences, and count pageviews for the dumps.
 *
 * @example
 * import { GeoReader, MemorySaltStore, periodOf, refineLine } from './bolts/webrequest/index.js';
 * const geo = await GeoReader.open();
 * const salts = new MemorySaltStore();
 * await salts.saltFor(periodOf(Date.parse('2026-11-22T10:00:00Z')));
 * const line = '{"hostname":"cp3050.esams.wmnet","sequence":1,"dt":"2026-11-22T10:00:00Z",' +
 *   '"ip":"8.8.8.8","http_status":"200","uri_host":"en.wikipedia.org","uri_path":"/wiki/Zürich",' +
 *   '"uri_query":"","content_type":"text/html; charset=UTF-8","user_agent":"Mozilla/5.0"}';
 * const result = refineLine(line, { source: 'text', geo, saltFor: (p) => salts.cachedSalt(p) });
 * // result.ok && result.record.pageview_info → { project: 'en.wikipedia', language_variant: 'default', page_title: 'Zürich' }
 */
export {
  MISSING,
  INPUT_STRING_FIELDS,
  type WebrequestInput,
  type WebrequestCommon,
  type CanonicalRecord,
  type GeotaggedRecord,
  type WebrequestRefined,
  type NormalizedHost,
  type PageviewInfo,
  type UserAgentMap,
  type GeocodedData,
  type AccessMethod,
  type AgentType,
} from './schema.js';
export {
  WEBREQUEST_INPUT_AVRO_SCHEMA,
  WEBREQUEST_REFINED_AVRO_SCHEMA,
  webrequestInputAvroType,
  webrequestRefinedAvroType,
} from './schema-avro.js';
export { parseDt, hourPartsOf, HOUR_MS, DAY_MS, type HourParts } from './event-time.js';
export { parseWebrequestLine, type ParseResult } from './parse.js';
export { cleanHost, normalizeHost, HOST_QUALIFIERS, EMPTY_NORMALIZED_HOST } from './normalized-host.js';
export { parseXAnalytics } from './x-analytics.js';
export {
  isPageview,
  isPageviewHost,
  pageviewProjectOf,
  consumesContent,
  isWebPageviewRequest,
  isAppPageviewRequest,
  type PageviewRequest,
} from './pageview.js';
export { languageVariantOf, normalizeVariantPath, DEFAULT_VARIANT } from './language-variant.js';
export { pageTitleOf, titleFromPath, finishTitle, queryParam, MAX_TITLE_BYTES } from './page-title.js';
export { accessMethodOf } from './access-method.js';
export { agentTypeOf, isSpiderUserAgent, SPIDER_UA_CONTAINS, SPIDER_UA_PREFIXES } from './agent-type.js';
export {
  UserAgentParser,
  parseUserAgentUncached,
  UNKNOWN_USER_AGENT_MAP,
  USER_AGENT_PARSER_DEFAULTS,
  OTHER,
  SPIDER,
  APP_FAMILY,
  type UserAgentParserOptions,
} from './user-agent.js';
export { LruCache } from './lru-cache.js';
export {
  canonicalize,
  hostFactsOf,
  CanonicalizeCaches,
  type CanonicalizeOptions,
  type HostFacts,
} from './canonicalize.js';
export { countryInfo, CONTINENT_NAMES, type CountryInfo } from './country-names.js';
export {
  GeoReader,
  openSharedGeoReader,
  geotag,
  toGeocodedData,
  defaultGeoDatabasePaths,
  isIPv4,
  UNKNOWN,
  UNKNOWN_COUNTRY_CODE,
  UNKNOWN_GEO,
  type GeoLookup,
  type GeoReaderOptions,
  type IpLocationRecord,
} from './geotag.js';
export {
  hashIp,
  IpHasher,
  periodOf,
  periodStartOf,
  periodBounds,
  saltPeriodOf,
  anonymize,
  buildRefined,
  clientIpOf,
  DEFAULT_SALT_ROTATION_MS,
} from './anonymize.js';
export {
  MemorySaltStore,
  compileSaltStoreOptions,
  SALT_BYTES,
  SALT_STORE_DEFAULTS,
  type SaltStore,
  type SaltStoreOptions,
} from './salt-store.js';
export {
  RedisSaltStore,
  DEFAULT_SALT_KEY_PREFIX,
  LATE_SALT_HOLD_MS,
  SALT_UNAVAILABLE,
  type RedisSaltStoreOptions,
} from './redis-salt-store.js';
export { type SequenceStatsRow } from './sequence-stats.js';
export { SequenceLedger, type SequenceLedgerState, type SequenceReset } from './sequence-ledger.js';
export { compileSequenceResetRule, SEQUENCE_RESET_DEFAULTS, type SequenceResetOptions, type SequenceResetRule } from './sequence-reset-rule.js';
export { FileSequenceStatsOutput, sequenceStatsFileName, type SequenceStatsOutput } from './sequence-stats-output.js';
export { writeWholeFile, type WholeFileSystem } from './whole-file.js';
export { SequenceCheckBolt, type SequenceCheckBoltOptions } from './sequence-check-bolt.js';
export { PageviewCounter, domainCodeOf, FAMILY_SUFFIXES, type PageviewCountable } from './pageview-dump.js';
export { refineLine, type RefineDeps, type RefineResult } from './refine.js';
export { refineBatch, type RefineBatch, type RefinedBatch, type RefineBatchDeps, type RefineFailure } from './refine-batch.js';
