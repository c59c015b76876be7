/**
 * Squall core: the topology model and the engine, with no network or disk I/O.
 *
 * @example
 * ```ts
 * import { topology, shuffle, fields, TopologyRuntime } from '../core/index.js';
 *
 * const t = topology('word-count')
 *   .spout('words', { create: () => new WordSpout(), outputs: { default: ['word'] } })
 *   .bolt('count', { create: () => new CountBolt(), inputs: [{ from: 'words', grouping: fields('word') }] })
 *   .build();
 * const runtime = new TopologyRuntime({ topology: t });
 * await runtime.start();
 * await runtime.completion;
 * await runtime.stop();
 * ```
 */
export { ErrorCodes, SquallError, isRetriable, messageOf } from './errors.js';
export type { ErrorCode, SquallErrorOptions } from './errors.js';
export { StorageFault, STORAGE_FAULT_CODES, bytesText, isStorageFaultCode, storageFaultKind, storageFaultOf } from './storage-fault.js';
export { backoffDelay, compileRetryPolicy, DEFAULT_RETRY_POLICY, sleep, withRetries } from './retry-policy.js';
export { StorageHold, StorageWarnings } from './storage-hold.js';
export type { StorageHoldOptions, StorageHoldState } from './storage-hold.js';
export type { RetryHooks, RetryOptions, RetryPolicy } from './retry-policy.js';
export type { StorageFailure, StorageFaultKind, StorageFaultOptions, StorageSpace } from './storage-fault.js';
export { compileTopologyConfig, parseConfigOverride, configNumber, configString, DEFAULT_TOPOLOGY_CONFIG } from './config.js';
export type { TopologyConfig, TopologyConfigOptions } from './config.js';
export { configKeys, compileConfig, allowedOf, showValue, ENGINE_CONFIG_KEYS } from './config-keys.js';
export type { ConfigKey, ConfigKeys, ConfigOf, ConfigValueOf, StringKey, NumberKey, BooleanKey } from './config-keys.js';
export { closestName } from './closest-name.js';
export { configurable, isConfigurable } from './topology/configurable.js';
export type { ConfigurableTopology, TopologyOrBuilder } from './topology/configurable.js';
export { createLogger, nullLogger } from './logger.js';
export { numberRuns } from './number-runs.js';
export { joinPath, parentOf, baseName } from './file-system.js';
export type { FileSystem, FileStatus, FileStream, CreateOptions, DeleteOptions } from './file-system.js';
export type { Logger, LogLevel, LogFields, LogRecord, LogSink } from './logger.js';
export { MetricRegistry, Counter, Gauge, Histogram, DEFAULT_LATENCY_BUCKETS } from './metrics/registry.js';
export type { MetricGroup, MetricFamily, Labels } from './metrics/registry.js';
export { capacityOf } from './metrics/registry.js';
export { taskSnapshot, mergeLatency, latencyQuantileMs } from './metrics/task-snapshot.js';
export type { TaskNumbers, LatencyCounts } from './metrics/task-snapshot.js';
export { OUTPUT_RECORDS_METRIC, outputRecordCounters, outputRecordTotals } from './metrics/output-records.js';
export type { OutputRecordCounters } from './metrics/output-records.js';
export type { Tuple, FailReason } from './tuple.js';
export { SYSTEM_COMPONENT, TICK_STREAM } from './tuple.js';
export type { Spout, SpoutOutputCollector, SpoutRecordCounts } from './spout.js';
export type { Bolt, OutputCollector, Anchors, AckMode, FlushReason } from './bolt.js';
export type { TopologyContext } from './context.js';
export { isSuperseded } from './partition-fence.js';
export type { PartitionFence, PartitionLease, PartitionPosition, PartitionSuperseded } from './partition-fence.js';
export { topology, TopologyBuilder } from './topology/builder.js';
export type { SubscriptionOf, InputFields } from './topology/builder.js';
export { shuffle, fields, partialKey, all, global, direct, localOrShuffle, custom } from './topology/grouping.js';
export type { Grouping, CustomGroupingFn } from './topology/grouping.js';
export { validateTopology, assertValidTopology, TopologyValidationError } from './topology/validate.js';
export type {
  TopologyDefinition,
  RunMetrics,
  RunReport,
  ComponentDefinition,
  StreamDefinition,
  InputDefinition,
  OutputsDecl,
  StreamDecl,
  FactoryContext,
  Resources,
  SpoutOptions,
  BoltOptions,
} from './topology/types.js';
export { TopologyRuntime } from './engine/runtime.js';
export type { RuntimeOptions, RuntimeState, StopOptions, StopReport } from './engine/runtime.js';
export type { ComponentError } from './engine/component-errors.js';
export type { RuntimeStats, ComponentStats } from './engine/stats.js';
export { computeLayout } from './engine/layout.js';
export { encodeTupleBatch, decodeTupleBatch, encodeAckBatch, decodeAckBatch, registerWireType } from './engine/wire-codec.js';
export type { WireTuple, WireAck, WireType } from './engine/wire-codec.js';
export type { RemoteEndpoint, RemoteTaskOptions, Throttled } from './engine/remote-tasks.js';
export type { AckRoute } from './engine/host.js';
export type { TopologyLayout, ExecutorLayout } from './engine/layout.js';
export { compileEventTimeOptions, eventTimePolicyOf, DEFAULT_EVENT_TIME_OPTIONS, EVENT_TIME_CONFIG_KEYS, EVENT_TIME_KEYS } from './event-time/event-time-policy.js';
export type { EventTimeOptions, EventTimePolicy, EventTimeReference } from './event-time/event-time-policy.js';
export { checkEventTime, describeDuration } from './event-time/event-time-bounds.js';
export type { EventTimeBoundReason, EventTimeViolation } from './event-time/event-time-bounds.js';
export { HOUR_MS, lowWatermarkOf, isClosedBy, openHourOf, PartitionWatermarks, UpstreamWatermarks } from './event-time/watermarks.js';
export type { SourceWatermark } from './event-time/watermarks.js';
export { ThreadPool, ThreadPoolErrorCodes, THREAD_POOL_DEFAULTS, MAX_THREADS, compileThreadPoolOptions, moduleUrlOf, transferResult, threadData } from './threads/thread-pool.js';
export type { ThreadPoolOptions, CompiledThreadPoolOptions, RunOptions } from './threads/thread-pool.js';
export { SharedResources } from './shared-resources.js';
export { ThreadedBolt } from './threads/threaded-bolt.js';
export type { ThreadedBoltOptions } from './threads/threaded-bolt.js';
export { threadBolt } from './threads/thread-bolt.js';
export type { ThreadBatch, ThreadBatchResult, ThreadBoltHandler, ThreadOutput, ThreadTaskInfo, ThreadTuple } from './threads/thread-bolt.js';
export type { TaskThreads } from './threads/task-threads.js';
export { InOrder } from './threads/in-order.js';
export type { Outcome } from './threads/in-order.js';
export type { Closeable, SharedResourcesOptions } from './shared-resources.js';
