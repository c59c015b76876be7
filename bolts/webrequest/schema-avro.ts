/**
 * Avro schemas of the webrequest records, declared through `avsc`. The refined schema is what the
 * HDFS sink writes and what Avro-encoded Kafka values carry.
 *
 * Nullable fields are unions with `null` first, so their Avro default is `null`.
 */
import avro from 'avsc';

const NAMESPACE = 'squall.webrequest';

const nullable = (type: unknown): unknown[] => ['null', type];

/** The Avro schema of one varnishkafka input record ({@link WebrequestInput}). */
export const WEBREQUEST_INPUT_AVRO_SCHEMA = Object.freeze({
  type: 'record',
  name: 'WebrequestInput',
  namespace: NAMESPACE,
  doc: 'One varnishkafka log line. A missing string is "-", a missing number null.',
  fields: [
    { name: 'hostname', type: 'string' },
    { name: 'sequence', type: 'long' },
    { name: 'dt', type: 'string' },
    { name: 'time_firstbyte', type: nullable('double'), default: null },
    { name: 'ip', type: 'string' },
    { name: 'cache_status', type: 'string' },
    { name: 'http_status', type: 'string' },
    { name: 'response_size', type: nullable('long'), default: null },
    { name: 'http_method', type: 'string' },
    { name: 'uri_host', type: 'string' },
    { name: 'uri_path', type: 'string' },
    { name: 'uri_query', type: 'string' },
    { name: 'content_type', type: 'string' },
    { name: 'referer', type: 'string' },
    { name: 'x_forwarded_for', type: 'string' },
    { name: 'user_agent', type: 'string' },
    { name: 'accept_language', type: 'string' },
    { name: 'x_analytics', type: 'string' },
    { name: 'range', type: 'string' },
    { name: 'x_cache', type: 'string' },
    { name: 'accept', type: 'string' },
  ],
});

const stringFields = (names: readonly string[]): { name: string; type: string }[] =>
  names.map((name) => ({ name, type: 'string' }));

/** The Avro schema of the refined record ({@link WebrequestRefined}). */
export const WEBREQUEST_REFINED_AVRO_SCHEMA = Object.freeze({
  type: 'record',
  name: 'WebrequestRefined',
  namespace: NAMESPACE,
  doc: 'A refined webrequest. No raw IP: client_ip is an HMAC-SHA-256 under a rotating salt.',
  fields: [
    { name: 'hostname', type: 'string' },
    { name: 'sequence', type: 'long' },
    { name: 'dt', type: 'string' },
    { name: 'time_firstbyte', type: nullable('double'), default: null },
    { name: 'client_ip', type: 'string' },
    { name: 'cache_status', type: 'string' },
    { name: 'http_status', type: 'string' },
    { name: 'response_size', type: nullable('long'), default: null },
    ...stringFields([
      'http_method',
      'uri_host',
      'uri_path',
      'uri_query',
      'content_type',
      'referer',
      'user_agent',
      'accept_language',
      'x_analytics',
      'range',
      'x_cache',
      'accept',
    ]),
    { name: 'is_pageview', type: 'boolean' },
    {
      name: 'pageview_info',
      default: null,
      type: nullable({
        type: 'record',
        name: 'PageviewInfo',
        fields: stringFields(['project', 'language_variant', 'page_title']),
      }),
    },
    { name: 'webrequest_source', type: 'string' },
    {
      name: 'normalized_host',
      type: {
        type: 'record',
        name: 'NormalizedHost',
        fields: [
          { name: 'project_class', type: 'string' },
          { name: 'project', type: 'string' },
          { name: 'qualifiers', type: { type: 'array', items: 'string' } },
          { name: 'tld', type: 'string' },
          { name: 'project_family', type: 'string' },
        ],
      },
    },
    { name: 'x_analytics_map', type: { type: 'map', values: 'string' } },
    {
      name: 'user_agent_map',
      type: {
        type: 'record',
        name: 'UserAgentMap',
        fields: stringFields([
          'browser_family',
          'browser_major',
          'os_family',
          'os_major',
          'os_minor',
          'device_family',
          'wmf_app_version',
        ]),
      },
    },
    { name: 'agent_type', type: 'string' },
    { name: 'access_method', type: 'string' },
    {
      name: 'geocoded_data',
      type: {
        type: 'record',
        name: 'GeocodedData',
        fields: stringFields(['continent', 'country_code', 'country', 'subdivision', 'city', 'timezone']),
      },
    },
    // The hour of ts is the directory (year=/month=/day=/hour=), read by Hive as partition
    // columns; a field of the same name would be refused by Hive as a repeated column.
    { name: 'ts', type: nullable('long'), default: null, doc: 'Event time, epoch milliseconds UTC.' },
  ],
});

/** The compiled Avro type of {@link WEBREQUEST_INPUT_AVRO_SCHEMA}. */
export const webrequestInputAvroType: avro.Type = avro.Type.forSchema(
  WEBREQUEST_INPUT_AVRO_SCHEMA as unknown as avro.Schema,
);

/** The compiled Avro type of {@link WEBREQUEST_REFINED_AVRO_SCHEMA}. */
export const webrequestRefinedAvroType: avro.Type = avro.Type.forSchema(
  WEBREQUEST_REFINED_AVRO_SCHEMA as unknown as avro.Schema,
);
