/**
 * infra/: the loopback ZooKeeper, Redis, Kafka and HDFS that integration tests run against.
 * The services themselves are started by the bash scripts beside this file; this module names
 * the TypeScript surface: where they listen, and the probes behind `bash infra/status.sh`.
 *
 * @example
 * ```ts
 * import { loadInfraSettings, probeRedis } from '../infra/index.js';
 * const settings = loadInfraSettings(); // reads SQUALL_REDIS_PORT and friends
 * console.log(await probeRedis(settings));
 * ```
 */
export { INFRA_ENV, SERVICE_NAMES, loadInfraSettings, serviceLogDir } from './settings.js';
export type { InfraSettings, ServiceName } from './settings.js';
export { httpRequest, redirectLocation } from './probes/http.js';
export type { HttpRequestOptions, HttpResponse } from './probes/http.js';
export { probeKafka } from './probes/kafka-probe.js';
export { probeRedis } from './probes/redis-probe.js';
export { probeWebhdfs } from './probes/webhdfs-probe.js';
export { probeZookeeper } from './probes/zookeeper-probe.js';
export { zookeeper } from './probes/zookeeper-client.js';
export type { ZkCallback, ZkClient, ZkClientOptions, ZkEvent, ZkStat, ZkWatcher, ZookeeperModule } from './probes/zookeeper-client.js';
