/**
 * What the sink tells Hive: the table's DDL (written once, by task 0), and for each hour
 * flagged complete, its `ALTER TABLE ... ADD PARTITION` statement, as a file and on the
 * optional `available` stream.
 */
import type { Logger } from '../../core/index.js';
import { type FileSystem, joinPath } from './file-system.js';
import { hiveAddPartition, hiveTableDdl } from './hive-ddl.js';
import type { Partition } from './partitioner.js';
import type { CompiledSinkOptions } from './sink-options.js';

export class PartitionPublisher {
  readonly #fs: FileSystem;
  readonly #o: Pick<CompiledSinkOptions, 'root' | 'hive' | 'format' | 'partitioner'>;
  readonly #emit: ((values: unknown[]) => void) | undefined;
  readonly #logger: Logger;

  /** `emit` sends `[partition, path, statement]` on the `available` stream, when it is declared. */
  constructor(fs: FileSystem, o: Pick<CompiledSinkOptions, 'root' | 'hive' | 'format' | 'partitioner'>, emit: ((values: unknown[]) => void) | undefined, logger: Logger) {
    this.#fs = fs;
    this.#o = o;
    this.#emit = emit;
    this.#logger = logger;
  }

  /** Writes `<root>/_hive/<table>.ddl`, when the format has a table schema. */
  async writeTableDdl(): Promise<void> {
    const hive = this.#o.hive;
    if (hive === undefined) return;
    const ddl = hiveTableDdl({ ...hive, format: this.#o.format, partitioner: this.#o.partitioner });
    if (ddl === undefined) return;
    await this.#fs.create(joinPath(this.#o.root, '_hive', `${hive.table}.ddl`), Buffer.from(ddl), { overwrite: true });
  }

  /** An hour was flagged complete: its partition statement, written and emitted. */
  async flagged(partition: Partition): Promise<void> {
    const hive = this.#o.hive;
    const statement = hive === undefined ? '' : hiveAddPartition({ ...hive, partition });
    if (hive !== undefined) await this.#fs.create(joinPath(this.#o.root, '_hive', `${hive.table}.partitions`, `${partition.path.replace(/\//g, '.')}.hql`), Buffer.from(statement), { overwrite: true });
    this.#emit?.([partition.path, joinPath(this.#o.root, partition.path), statement]);
    this.#logger.info('partition complete', { partition: partition.path });
  }
}
