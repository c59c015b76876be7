/**
 * A file's identity: what makes it the same source whatever its name, its compression or how
 * much has been appended to it since. It is taken from its content, the first line that is not
 * blank (up to {@link IDENTITY_CHARS} characters, after decompression), as Vector and Fluent Bit
 * fingerprint the files they tail: an inode survives a rename but not `logrotate`'s compression, and is
 * reused once a file is deleted. Every webrequest line holds its cache host, sequence number and
 * time, so two log files never start alike; files that do (a shared header line) are taken as
 * one source.
 */
import { createHash } from 'node:crypto';

/** Characters of that line that make the identity. */
export const IDENTITY_CHARS = 4096;

/** The identity of a file whose first line that is not blank is `firstLine`: 16 hex digits. */
export function fileIdentity(firstLine: string): string {
  return createHash('sha256').update(firstLine.slice(0, IDENTITY_CHARS)).digest('hex').slice(0, 16);
}

/** The longest file name kept in a source's topic: the sink's file names stay under 255 bytes. */
const MAX_NAME_CHARS = 80;

/**
 * A file source's topic in the sink's offset keys and in error origins: its name where it was
 * first read, relative to the input's root, and its identity, `requests-01.gz#3fa9c2d1e0b4a577`.
 */
export function sourceTopic(name: string, identity: string): string {
  const short = name.length > MAX_NAME_CHARS ? `…${name.slice(-MAX_NAME_CHARS)}` : name;
  return `${short}#${identity}`;
}
