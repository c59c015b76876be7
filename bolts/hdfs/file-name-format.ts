/**
 * Names of the sink's files: storm-hdfs's `FileNameFormat`. A committed file's name records the
 * source it holds, `part-<topic>-<partition>-<firstOffset>-<lastOffset>.avro`, which is what lets
 * the sink recover what is committed by listing the output. In-progress files and offset
 * manifests start with `_`, which Hive and Hadoop input formats skip.
 */

/** The source coordinates a committed file holds. */
export interface FileSource {
  readonly topic: string;
  readonly partition: number;
  /** Lowest and highest offset in the file. */
  readonly firstOffset: number;
  readonly lastOffset: number;
  /**
   * The lease the records were read under (see partition-leases.ts), for a leased source. It
   * makes the names of a file and its manifest unique to one writer, so no writer ever has to
   * replace a file or manifest that another writer may have committed.
   */
  readonly lease?: string;
}

/** Names files; every `parse` is the inverse of its `format`. */
export interface FileNameFormat {
  /** The name of a committed file. */
  committed(source: FileSource, extension: string): string;
  /** The source of a committed file's name, or undefined when the name is not one. */
  parseCommitted(name: string): (FileSource & { readonly extension: string }) | undefined;
  /** The name of an in-progress file of task `owner`, in the directory it will be committed to. */
  temporary(owner: string, nonce: string, source: Omit<FileSource, 'lastOffset'>, extension: string): string;
  /** The owner of an in-progress file's name, or undefined when the name is not one. */
  temporaryOwner(name: string): string | undefined;
  /** The name of the offsets manifest of a committed file whose offsets are not contiguous. */
  manifest(committedName: string): string;
  /** The committed file a manifest name belongs to, or undefined when the name is not one. */
  parseManifest(name: string): string | undefined;
}

/** Options of {@link OffsetRangeFileNameFormat}. */
export interface OffsetRangeFileNameOptions {
  /** The first word of committed names. Letters, digits and `_`. @default 'part' */
  readonly prefix?: string;
}

/** Offsets are padded to 20 digits (as Kafka names its segments) so names sort by offset. */
const OFFSET_DIGITS = 20;
const TEMP_PREFIX = '_tmp.';
const MANIFEST_PREFIX = '_offsets.';
const MANIFEST_SUFFIX = '.json';

/** Keeps what Kafka allows in topic names, except `%`; anything else becomes `%XX` (UTF-8). */
export function encodeTopic(topic: string): string {
  return topic.replace(/[^A-Za-z0-9._-]/gu, (c) =>
    Array.from(Buffer.from(c, 'utf8'))
      .map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`)
      .join(''),
  );
}

export function decodeTopic(encoded: string): string {
  return decodeURIComponent(encoded);
}

/** A task's owner tag for temporary names: `<component>-<taskIndex>`, safe in a file name. */
export function ownerTag(componentId: string, taskIndex: number): string {
  return `${componentId.replace(/[^A-Za-z0-9_-]/g, '_')}-${taskIndex}`;
}

const pad = (offset: number) => String(offset).padStart(OFFSET_DIGITS, '0');

/** `part-<topic>-<partition>-<firstOffset>-<lastOffset>[.l<lease>]<extension>`. */
export class OffsetRangeFileNameFormat implements FileNameFormat {
  readonly prefix: string;
  readonly #committed: RegExp;

  constructor(options: OffsetRangeFileNameOptions = {}) {
    this.prefix = options.prefix ?? 'part';
    if (!/^[A-Za-z0-9_]+$/.test(this.prefix)) throw new TypeError(`file name prefix ${JSON.stringify(this.prefix)}: use letters, digits and _`);
    this.#committed = new RegExp(`^${this.prefix}-(.+)-(\\d+)-(\\d{1,${OFFSET_DIGITS}})-(\\d{1,${OFFSET_DIGITS}})(?:\\.l(\\d+))?(\\.[A-Za-z0-9]+)?$`);
  }

  committed(source: FileSource, extension: string): string {
    const lease = source.lease === undefined ? '' : `.l${source.lease}`;
    return `${this.prefix}-${encodeTopic(source.topic)}-${source.partition}-${pad(source.firstOffset)}-${pad(source.lastOffset)}${lease}${extension}`;
  }

  parseCommitted(name: string): (FileSource & { readonly extension: string }) | undefined {
    const m = this.#committed.exec(name);
    if (m === null) return undefined;
    let topic: string;
    try {
      topic = decodeTopic(m[1]!);
    } catch {
      return undefined;
    }
    const firstOffset = Number(m[3]);
    const lastOffset = Number(m[4]);
    if (!Number.isSafeInteger(firstOffset) || !Number.isSafeInteger(lastOffset) || lastOffset < firstOffset) return undefined;
    return { topic, partition: Number(m[2]), firstOffset, lastOffset, extension: m[6] ?? '', ...(m[5] === undefined ? {} : { lease: m[5] }) };
  }

  temporary(owner: string, nonce: string, source: Omit<FileSource, 'lastOffset'>, extension: string): string {
    return `${TEMP_PREFIX}${owner}.${nonce}.${this.prefix}-${encodeTopic(source.topic)}-${source.partition}-${pad(source.firstOffset)}${extension}`;
  }

  temporaryOwner(name: string): string | undefined {
    if (!name.startsWith(TEMP_PREFIX)) return undefined;
    const end = name.indexOf('.', TEMP_PREFIX.length);
    return end < 0 ? undefined : name.slice(TEMP_PREFIX.length, end);
  }

  manifest(committedName: string): string {
    return `${MANIFEST_PREFIX}${committedName}${MANIFEST_SUFFIX}`;
  }

  parseManifest(name: string): string | undefined {
    if (!name.startsWith(MANIFEST_PREFIX) || !name.endsWith(MANIFEST_SUFFIX)) return undefined;
    return name.slice(MANIFEST_PREFIX.length, name.length - MANIFEST_SUFFIX.length);
  }
}
