/**
 * Hive statements over the sink's output: the external table, partitioned by the partitioner's
 * columns, and the statement that adds one partition once its data is complete.
 *
 * @example
 * ```ts
 * hiveTableDdl({ table: 'webrequest', database: 'wmf_raw', location: '/wmf/data/raw/webrequest', format, partitioner });
 * // CREATE EXTERNAL TABLE IF NOT EXISTS `wmf_raw`.`webrequest`
 * // PARTITIONED BY (`year` int, `month` int, `day` int, `hour` int)
 * // STORED AS AVRO
 * // LOCATION '/wmf/data/raw/webrequest'
 * // TBLPROPERTIES ('avro.schema.literal'='{...}');
 * ```
 */
import type { Partition, Partitioner } from './partitioner.js';
import type { RecordFormat } from './record-format.js';

/** Which Hive table the output is. */
export interface HiveTableOptions {
  readonly table: string;
  readonly database?: string;
  /** The table's LOCATION. @default the sink's root */
  readonly location?: string;
}

const quoteName = (name: string) => `\`${name.replace(/`/g, '``')}\``;
const quoteString = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function tableName(options: HiveTableOptions): string {
  return options.database === undefined ? quoteName(options.table) : `${quoteName(options.database)}.${quoteName(options.table)}`;
}

/**
 * `CREATE EXTERNAL TABLE IF NOT EXISTS ... PARTITIONED BY (...) STORED AS ... LOCATION ...`, or
 * undefined when the format has no Hive storage clause (NDJSON without a column list).
 */
export function hiveTableDdl(options: HiveTableOptions & { readonly location: string; readonly format: RecordFormat; readonly partitioner: Partitioner }): string | undefined {
  if (options.format.hiveStorage === undefined) return undefined;
  const columns = options.partitioner.columns.map((c) => `${quoteName(c.name)} ${c.type}`).join(', ');
  const storage = options.format.hiveStorage.replace(/^STORED AS (\w+)\n?/, '');
  const storedAs = /^STORED AS (\w+)/.exec(options.format.hiveStorage)?.[1];
  return [
    `CREATE EXTERNAL TABLE IF NOT EXISTS ${tableName(options)}`,
    `PARTITIONED BY (${columns})`,
    ...(storedAs !== undefined ? [`STORED AS ${storedAs}`] : []),
    `LOCATION ${quoteString(options.location)}`,
    ...(storage.trim() === '' ? [] : [storage.trim()]),
  ].join('\n').concat(';\n');
}

/**
 * The format's data columns that are also partition columns (compared as Hive does, without case).
 * Hive refuses such a table: a partition column is read from the directory, never from the file.
 */
export function repeatedPartitionColumns(format: RecordFormat, partitioner: Partitioner): string[] {
  const partitionColumns = new Set(partitioner.columns.map((c) => c.name.toLowerCase()));
  return (format.hiveColumns ?? []).filter((name) => partitionColumns.has(name.toLowerCase()));
}

/** `ALTER TABLE ... ADD IF NOT EXISTS PARTITION (year=2024, ...) LOCATION '<dir>';` */
export function hiveAddPartition(options: HiveTableOptions & { readonly location: string; readonly partition: Partition }): string {
  const spec = Object.entries(options.partition.values)
    .map(([k, v]) => `${quoteName(k)}=${v}`)
    .join(', ');
  const location = `${options.location.replace(/\/+$/, '')}/${options.partition.path}`;
  return `ALTER TABLE ${tableName(options)} ADD IF NOT EXISTS PARTITION (${spec}) LOCATION ${quoteString(location)};\n`;
}
