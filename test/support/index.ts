/**
 * Shared helpers for the integration and end-to-end tiers.
 *
 * @example
 * ```ts
 * import { ensureInfra, testNames, waitFor } from '../support/index.js';
 * const infra = await ensureInfra();
 * const names = testNames('my-test'); // topic, hdfsPath, zkRoot, redisPrefix with one suffix
 * await waitFor(async () => (await redis.exists(key)) === 0, { message: `${key} to expire` });
 * ```
 */
export { InfraScriptError, INFRA_ENV, SERVICE_NAMES, ensureInfra, ensureKafkaProducers, ensureSpark, infraSettings, loadInfraSettings, restartService, startService, stopService } from './infra.js';
export type { EnsureInfraOptions, HdfsRole, InfraSettings, ServiceControlOptions, ServiceName } from './infra.js';
export { randomSuffix, testNames, uniqueGroupId, uniqueHdfsPath, uniqueRedisPrefix, uniqueTopic, uniqueZkRoot } from './names.js';
export type { TestNames } from './names.js';
export { WaitTimeoutError, waitFor, waitForEvent } from './wait.js';
export type { WaitForEventOptions, WaitForOptions } from './wait.js';
export { httpRequest, redirectLocation } from '../../infra/probes/http.js';
export type { HttpRequestOptions, HttpResponse } from '../../infra/probes/http.js';
export { zookeeper } from '../../infra/probes/zookeeper-client.js';
export type { ZkClient, ZkEvent, ZkStat, ZkWatcher } from '../../infra/probes/zookeeper-client.js';
export { REPO_ROOT, repoTempDir, runNimbus } from './nimbus.js';
export { canMount, mountTmpfs } from './tmpfs.js';
export { clearSpaceQuota, setSpaceQuota } from './hdfs-quota.js';
export type { Tmpfs } from './tmpfs.js';
export { produceWith } from './kafka-producers.js';
export type { KeyedLine, ProducerCodec, RealProducer } from './kafka-producers.js';
export type { NimbusRun } from './nimbus.js';
