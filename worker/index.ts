/**
 * Squall workers: what runs assigned executors in a process, and what it exposes. Topology
 * files are loaded here (`loadTopology`), so that the CLI and a worker process load them alike.
 *
 * @example
 * ```ts
 * const bridge = new PrometheusBridge();
 * bridge.add(runtime.metrics);
 * const url = await new MetricsServer(bridge).listen({ port: 9464 });

 * ```
 */
export { PrometheusBridge } from './metrics/prometheus-bridge.js';
export { consoleSink, formatRecord } from './log/console-log.js';
export { loadTopology, loadConfigKeys, typecheck, TopologyLoadError } from './topology/load-topology.js';
export type { LoadOptions } from './topology/load-topology.js';
export { ZkSession, ZkErrorCodes, isZkError, reconnectUntilDone } from './cluster/zk-session.js';
export type { ZkSessionOptions, ZkNode, ZkOp, CreateMode } from './cluster/zk-session.js';
export { LeaderLatch } from './cluster/leader-latch.js';
export { WorkerTransport } from './transport/worker-transport.js';
export type { TransportRuntime, WorkerTransportOptions } from './transport/worker-transport.js';
export { ClusterState, ClusterPaths, DEFAULT_ZK_ROOT, ERRORS_KEPT } from './cluster/cluster-state.js';
export type { Assignment, ComponentErrorRecord, ExecutorPlacement, SupervisorRecord, TopologyRecord, TopologyStatus } from './cluster/cluster-state.js';
export { MetricsServer } from './metrics/metrics-server.js';
export type { MetricsServerOptions } from './metrics/metrics-server.js';
export { WebHdfsBundleStore, BundleErrorCodes } from './cluster/bundle-store.js';
export type { BundleStore, WebHdfsBundleStoreOptions } from './cluster/bundle-store.js';
export { Supervisor } from './supervisor/supervisor.js';
export type { SupervisorOptions } from './supervisor/supervisor.js';
export { loadBundle, BUNDLE_SUFFIX, FRAMEWORK_FOLDERS, FRAMEWORK_PREFIX, SQUALL_ROOT } from './topology/bundle-loader.js';
export { describeTopology, executorsOf, withExecutors } from './topology/topology-description.js';
export type { BundleDescription, ComponentDescription } from './topology/topology-description.js';
export type { NimbusRecord, WorkerBeat } from './cluster/cluster-state.js';
