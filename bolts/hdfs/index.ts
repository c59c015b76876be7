/**
 * The HDFS sink with exactly-once output, and the filesystems it writes through.
 *
 * @example
 * ```ts
 * import { topology, fields } from '../../core/index.js';
 * import { AvroContainerFormat, HDFS_SINK_OUTPUTS, HdfsSinkBolt, WebHdfsFileSystem } from '../../bolts/hdfs/index.js';
 *
 * const t = topology('refine')
 *   .spout('kafka', { create: () => new KafkaSpout(...), outputs: { default: ['record', 'topic', 'partition', 'offset'] } })
 *   .bolt('hdfs', {
 *     create: () =>
 *       new HdfsSinkBolt({
 *         fileSystem: () => new WebHdfsFileSystem({ url: 'http://127.0.0.1:9870', user: 'squall' }),
 *         root: '/wmf/data/raw/webrequest',
 *         format: new AvroContainerFormat({ schema, codec: 'snappy' }),
 *         timeField: 'dt',
 *         rotation: { maxBytes: 64 * 2 ** 20, maxAgeMs: 10_000 },
 *       }),
 *     inputs: [{ from: 'kafka', grouping: fields('partition') }],
 *     outputs: HDFS_SINK_OUTPUTS,
 *   })
 *   .build();
 * ```
 */
export { HdfsSinkBolt, HDFS_SINK_OUTPUTS, HDFS_SINK_ERROR_FIELDS, HDFS_SINK_AVAILABLE_FIELDS } from './hdfs-sink-bolt.js';
export type { HdfsSinkState } from './hdfs-sink-bolt.js';
export { compileSinkOptions, DEFAULT_HDFS_SINK_OPTIONS } from './sink-options.js';
export type { HdfsSinkOptions, HdfsSinkFields, CompiledSinkOptions } from './sink-options.js';
export { committedOffsets, resumeAfterCommitted, scanOutput, sourceKey, SUCCESS_FLAG } from './output-scan.js';
export type { CommittedOffsetsOptions, OutputScan, ScanOptions, OffsetManifest } from './output-scan.js';
export { OffsetRanges } from './offset-ranges.js';
export { OutputPartitionFence, LEASES_DIR } from './partition-leases.js';
export type { OutputPartitionFenceOptions } from './partition-leases.js';
export type { FileSystem, FileStatus, FileStream, CreateOptions, DeleteOptions } from './file-system.js';
export { joinPath, parentOf, baseName } from './file-system.js';
export { LocalFileSystem } from './local-file-system.js';
export { WebHdfsFileSystem, DEFAULT_WEBHDFS_OPTIONS } from './webhdfs-file-system.js';
export type { WebHdfsOptions } from './webhdfs-file-system.js';
export { compileRetryPolicy, DEFAULT_RETRY_POLICY, withRetries } from '../../core/index.js';
export type { RetryOptions, RetryPolicy } from '../../core/index.js';
export { HdfsErrorCodes } from './errors.js';
export type { HdfsErrorCode } from './errors.js';
export type { RecordFormat, RecordWriter } from './record-format.js';
export { NdjsonFormat } from './ndjson-format.js';
export { AvroContainerFormat, DEFAULT_AVRO_CONTAINER_OPTIONS } from './avro-container-format.js';
export type { AvroContainerOptions } from './avro-container-format.js';
export { avroDecoderCodecs } from './avro-codecs.js';
export type { AvroCodecName } from './avro-codecs.js';
export { HourlyPartitioner, hourPartition } from './partitioner.js';
export type { Partitioner, Partition, Placement, HourlyPartitionerOptions } from './partitioner.js';
export { eventTimeOf, parseIsoTime } from './event-time.js';
export { SizeRotationPolicy, CountRotationPolicy, AgeRotationPolicy, anyOf, rotationPolicy } from './rotation-policy.js';
export type { RotationPolicy, RotationOptions, OpenFileStats } from './rotation-policy.js';
export { OffsetRangeFileNameFormat, ownerTag } from './file-name-format.js';
export type { FileNameFormat, FileSource, OffsetRangeFileNameOptions } from './file-name-format.js';
export { DEFAULT_AVAILABILITY_OPTIONS, WATERMARKS_DIR } from './data-availability.js';
export type { AvailabilityOptions } from './data-availability.js';
export { hiveTableDdl, hiveAddPartition } from './hive-ddl.js';
export type { HiveTableOptions } from './hive-ddl.js';
export type { SinkErrorKind } from './sink-metrics.js';
export { EncodedRecord, RecordBytesEncoder, encodingKey } from './encoded-record.js';
export type { FormatEncoding } from './batch-encoder.js';
