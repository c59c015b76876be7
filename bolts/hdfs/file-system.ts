/**
 * The filesystem contract the sink writes through lives in core (core/file-system.ts), where
 * every layer can reach it; the sink's modules import it from here.
 */
export type { CreateOptions, DeleteOptions, FileStatus, FileStream, FileSystem } from '../../core/index.js';
export { baseName, joinPath, parentOf } from '../../core/index.js';
