/**
 * TypeScript shapes of the webrequest records: the varnishkafka input line, the intermediate
 * records between canonicalize, geotag and anonymize, and the refined record whose field names
 * follow Wikimedia's refined `webrequest` table.
 *
 * Conventions:
 * - A missing string value is `-` ({@link MISSING}).
 * - A missing number (`time_firstbyte`, `response_size`) is `null`.
 * - `ts` is the event time in epoch milliseconds (UTC), taken from `dt`; it is `null` when `dt`
 *   is `-`.
 * - The hour of `ts` (`year`, `month`, `day`, `hour`) is no field of the record: the HDFS sink puts
 *   each record under `year=/month=/day=/hour=` by `ts`, and Hive reads those as partition
 *   columns only, as in Wikimedia's table (a partition column may not repeat a data column).
 */

/** The value of a string field that is missing or unknown. */
export const MISSING = '-';

/** One varnishkafka log line, validated and trimmed by `parseWebrequestLine`. */
export interface WebrequestInput {
  hostname: string;
  sequence: number;
  /** ISO-8601 UTC, or `-` when unknown. */
  dt: string;
  time_firstbyte: number | null;
  /** The raw client IP. Never leaves the anonymizer. */
  ip: string;
  cache_status: string;
  /** Three digits, such as `"200"`. */
  http_status: string;
  response_size: number | null;
  http_method: string;
  uri_host: string;
  uri_path: string;
  /** Includes the leading `?` when present. */
  uri_query: string;
  content_type: string;
  referer: string;
  /** Raw proxy chain; may hold IPs. Never leaves the anonymizer. */
  x_forwarded_for: string;
  user_agent: string;
  accept_language: string;
  x_analytics: string;
  range: string;
  x_cache: string;
  accept: string;
}

/** The string fields of {@link WebrequestInput}, in varnishkafka order. */
export const INPUT_STRING_FIELDS = [
  'ip',
  'cache_status',
  'http_method',
  'uri_host',
  'uri_path',
  'uri_query',
  'content_type',
  'referer',
  'x_forwarded_for',
  'user_agent',
  'accept_language',
  'x_analytics',
  'range',
  'x_cache',
  'accept',
] as const;

/** The parts of a host name, per the spec's `normalized_host` rule. */
export interface NormalizedHost {
  project_class: string;
  project: string;
  qualifiers: string[];
  tld: string;
  project_family: string;
}

/** What a pageview is of. Present only when `is_pageview` is true. */
export interface PageviewInfo {
  /** Such as `en.wikipedia` or `wikidata`. */
  project: string;
  /** Such as `default`, `sr-ec` or `zh-hans`; `-` when none applies. */
  language_variant: string;
  /** Percent-decoded, spaces as `_`; `-` when invalid or unknown. */
  page_title: string;
}

/** The parsed user agent. Unknown families are `Other`, unknown versions `-`. */
export interface UserAgentMap {
  browser_family: string;
  browser_major: string;
  os_family: string;
  os_major: string;
  os_minor: string;
  /** `Spider` for bots and crawlers. */
  device_family: string;
  /** The version after `WikipediaApp/`, or `-`. */
  wmf_app_version: string;
}

/** Where the client is. Unknown values are `Unknown`; an unknown country code is `--`. */
export interface GeocodedData {
  continent: string;
  country_code: string;
  country: string;
  subdivision: string;
  city: string;
  timezone: string;
}

/** How the request reached us. */
export type AccessMethod = 'desktop' | 'mobile web' | 'mobile app';

/** Whether a human or an automated agent made the request. */
export type AgentType = 'user' | 'spider';

/** Fields shared by every record from canonicalize onwards. */
export interface WebrequestCommon {
  hostname: string;
  sequence: number;
  dt: string;
  time_firstbyte: number | null;
  cache_status: string;
  http_status: string;
  response_size: number | null;
  http_method: string;
  uri_host: string;
  uri_path: string;
  uri_query: string;
  content_type: string;
  referer: string;
  user_agent: string;
  accept_language: string;
  x_analytics: string;
  range: string;
  x_cache: string;
  accept: string;
  is_pageview: boolean;
  /** `null` unless `is_pageview`. */
  pageview_info: PageviewInfo | null;
  /** Such as `text` or `upload`: the Kafka topic suffix. */
  webrequest_source: string;
  normalized_host: NormalizedHost;
  x_analytics_map: Record<string, string>;
  user_agent_map: UserAgentMap;
  agent_type: AgentType;
  access_method: AccessMethod;
  /** Event time in epoch milliseconds (UTC), from `dt`; `null` when `dt` is `-`. */
  ts: number | null;
}

/** The output of canonicalize: still holds the raw `ip` and `x_forwarded_for`. */
export interface CanonicalRecord extends WebrequestCommon {
  ip: string;
  x_forwarded_for: string;
}

/** The output of geotag: canonical plus `geocoded_data`. */
export interface GeotaggedRecord extends CanonicalRecord {
  geocoded_data: GeocodedData;
}

/**
 * The refined record, as written to HDFS. The raw `ip` and `x_forwarded_for` are gone;
 * `client_ip` is the HMAC-SHA-256 (hex) of the client IP under the period's salt, or `-` when
 * the input had no IP.
 */
export interface WebrequestRefined extends WebrequestCommon {
  client_ip: string;
  geocoded_data: GeocodedData;
}
