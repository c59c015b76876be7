/**
 * The config keys of topologies/webrequest.ts (`-c key=value`), checked before anything runs and
 * listed by `nimbus local topologies/webrequest.ts --help`.
 */
import { EVENT_TIME_KEYS, MAX_THREADS, configKeys } from '../core/index.js';
import { DEFAULT_SALT_ROTATION_MS } from '../bolts/webrequest/anonymize.js';
import { DEFAULT_SALT_STORE_DEADLINE_MS } from '../bolts/webrequest/refine-salts.js';
import { SEQUENCE_RESET_DEFAULTS } from '../bolts/webrequest/sequence-reset-rule.js';
import { checkInputPath, checkRedisAddress, checkWebHdfsUrl } from './config-checks.js';

export const WEBREQUEST_CONFIG = configKeys({
  input: { type: 'string', default: 'generator', check: checkInputPath, description: "'generator' (synthetic traffic), 'kafka', '-' (stdin), or varnishkafka NDJSON: a file, directory or glob (plain, gzip or zstd)" },
  follow: { type: 'boolean', default: false, description: 'keep reading files that appear in the input directory (or --follow)' },
  records: { type: 'integer', min: 1, default: 100_000, description: 'generator: requests to generate' },
  seed: { type: 'integer', default: 1, description: 'generator: random seed' },
  hosts: { type: 'integer', min: 1, default: 8, description: 'generator: cache hosts' },
  malformedShare: { type: 'number', min: 0, max: 1, default: 0.01, description: 'generator: share of malformed lines' },
  brokers: { type: 'string', default: '127.0.0.1:9092', description: 'kafka: brokers, comma-separated' },
  topics: { type: 'string', default: 'webrequest_text,webrequest_upload', description: 'kafka: topics, comma-separated' },
  groupId: { type: 'string', default: 'webrequest-refine', description: 'kafka: consumer group' },
  sessionTimeoutMs: { type: 'integer', min: 1, default: 10_000, description: 'kafka: consumer session timeout, in ms; a restart after a kill waits up to this for the killed member to leave the group' },
  heartbeatIntervalMs: { type: 'integer', min: 1, default: 3_000, description: 'kafka: consumer heartbeat interval, in ms' },
  webrequestSource: { type: 'string', default: 'text', description: "webrequest_source of records whose topic is not webrequest_<source>" },
  output: { type: 'string', default: 'out/webrequest', description: 'output directory; on HDFS when hdfs is set' },
  format: { type: 'string', values: ['avro', 'ndjson'], default: 'avro', description: 'refined output format (avro: snappy container files)' },
  hdfs: { type: 'string', check: checkWebHdfsUrl, defaultText: 'not set: the local disk', description: 'write to HDFS through this WebHDFS URL' },
  hdfsUser: { type: 'string', default: 'squall', description: 'HDFS user' },
  hdfsBlockSize: { type: 'integer', min: 1, defaultText: "the cluster's dfs.blocksize", description: 'HDFS block size of the files written, in bytes' },
  redis: { type: 'string', check: checkRedisAddress, defaultText: 'not set: salts in process memory', description: 'keep anonymization salts in this Redis' },
  saltKeyPrefix: { type: 'string', defaultText: 'the salt store default', description: 'prefix of the salt keys in Redis' },
  saltStoreDeadlineMs: { type: 'integer', min: 1, default: DEFAULT_SALT_STORE_DEADLINE_MS, description: 'how long refine holds its input while the salt store (redis) cannot be reached, before the run stops with exit 1, in ms' },
  saltRotationMs: { type: 'integer', min: 1000, default: DEFAULT_SALT_ROTATION_MS, description: 'period of each anonymization salt, in ms' },
  threads: { type: 'integer', min: 0, max: MAX_THREADS, defaultText: 'the cores but one', description: 'refine threads; 0 refines on the main thread' },
  refineParallelism: { type: 'integer', min: 1, default: 1, description: 'executors of refine' },
  maxSpoutPending: { type: 'integer', min: 1, default: 8000, description: 'tuples a source task may have in flight (engine key, with this default here)' },
  alertPercentLost: { type: 'number', min: 0, max: 100, default: 0.5, description: 'sequence check: alert above this percentage lost per host and hour' },
  sequenceResetJump: { type: 'integer', min: 1, default: SEQUENCE_RESET_DEFAULTS.jump, description: 'sequence check: a jump ahead further than this is a restart of the counter, not a loss' },
  sequenceResetDrop: { type: 'integer', min: 1, default: SEQUENCE_RESET_DEFAULTS.drop, description: 'sequence check: a drop back further than this is a restart of the counter, not a duplicate' },
  sequenceResetBelow: { type: 'integer', min: 1, default: SEQUENCE_RESET_DEFAULTS.below, description: 'sequence check: a counter that dropped back restarts below this' },
  ...EVENT_TIME_KEYS,
});
