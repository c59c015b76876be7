/** Errors of the file source: a file that could not be read on, and where it stopped. */
import { SquallError } from '../../core/index.js';

/** Stable codes of the file source's errors. */
export const FileInputErrorCodes = Object.freeze({
  /** A file was damaged, cut short or removed while it was read; the run goes on with the next. */
  FILE_UNREADABLE: 'SQUALL_ERR_FILE_UNREADABLE',
} as const);

/**
 * A file that cannot be read on from `byteOffset` (of the file as stored: compressed bytes for a
 * compressed file). Not retriable: reading it again meets the same damage.
 */
export class FileReadError extends SquallError {
  readonly byteOffset: number;

  constructor(message: string, byteOffset: number, options: { cause?: unknown; code?: string } = {}) {
    super(options.code ?? FileInputErrorCodes.FILE_UNREADABLE, message, { cause: options.cause });
    this.byteOffset = byteOffset;
  }
}
