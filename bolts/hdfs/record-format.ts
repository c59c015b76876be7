/**
 * How records become the bytes of a file: storm-hdfs's `RecordFormat`. A format opens one
 * {@link RecordWriter} per file; the writer encodes records synchronously and hands back the
 * bytes that are ready, so the sink decides when they reach the filesystem.
 */

import type { FormatEncoding } from './batch-encoder.js';

/** Records encoded elsewhere (by the sink's batch encoder): Avro blocks' data, or NDJSON lines. */
export interface EncodedChunks {
  readonly chunks: readonly Uint8Array[];
  /** Records in each chunk. */
  readonly counts: readonly number[];
}

/** Encodes the records of one file. */
export interface RecordWriter {
  /**
   * Encodes one record. Throws a `SquallError` with code `SQUALL_ERR_HDFS_BAD_RECORD` (and
   * changes nothing) when the record does not fit the format.
   */
  write(record: unknown): void;
  /** Appends records the format's batch encoder produced (formats with an `encoding`). */
  writeEncoded?(encoded: EncodedChunks): void;
  /**
   * Appends one record already encoded in the format's `encoding` (formats with one): the bytes
   * `data[start, end)` of an NDJSON line with its newline, or of one Avro datum. The caller
   * checked the encoding; the bytes are copied.
   */
  writeRecordBytes?(data: Buffer, start: number, end: number): void;
  /** The bytes that are complete (a header, whole blocks) and not yet taken, or undefined. */
  take(): Buffer | undefined;
  /** Ends the file: every byte not yet taken, the last block included. */
  end(): Buffer;
  /** The file's size so far in bytes: taken, ready and still buffered (before compression). */
  readonly bytes: number;
  /** Bytes complete and not yet taken: what {@link take} would return. */
  readonly readyBytes: number;
  /** Records written. */
  readonly records: number;
}

/** A file format. */
export interface RecordFormat {
  /** The file name extension, with its dot: `.avro`, `.ndjson`. */
  readonly extension: string;
  /** A short label for logs and docs: `avro/snappy`, `ndjson`. */
  readonly name: string;
  /**
   * The `STORED AS ...` (and TBLPROPERTIES) clause of a Hive table over these files, or
   * undefined when Hive cannot read them without more information.
   */
  readonly hiveStorage?: string;
  /** The table's data columns that {@link hiveStorage} declares (an Avro record's fields), when known. */
  readonly hiveColumns?: readonly string[];
  /**
   * The format as plain data, when the sink's batch encoder (which may run on other threads)
   * or an upstream bolt can produce it; its writers then implement `writeEncoded` and
   * `writeRecordBytes`.
   */
  readonly encoding?: FormatEncoding;
  /** A writer for one new file. */
  open(): RecordWriter;
}
