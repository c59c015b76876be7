/**
 * Loads a topology bundle: the one JavaScript file `nimbus submit` makes of a topology file
 * (nimbus/submit/bundle-topology.ts). The framework and npm packages are not in it: it names
 * Squall's own modules `squall:<path>` and packages by name, and both resolve from the install
 * of the process that loads it (bundle-hooks.mjs), so a worker and its bundle share one core.
 */
import { register } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TopologyDefinition } from '../../core/index.js';
import { type LoadOptions, loadTopology } from './load-topology.js';

/** The prefix a bundle gives imports of Squall's own modules. */
export const FRAMEWORK_PREFIX = 'squall:';
/** Folders of the install that a bundle imports instead of containing. */
export const FRAMEWORK_FOLDERS = Object.freeze(['core', 'spouts', 'bolts', 'worker', 'nimbus']);
/** What a bundle's file name ends with: how the resolution hooks know a bundle's imports. */
export const BUNDLE_SUFFIX = '.bundle.mjs';

/** The root of this Squall install. */
export const SQUALL_ROOT = fileURLToPath(new URL('../../', import.meta.url));

let registered = false;

/** Loads the definition a bundle file exports. The file name must end with {@link BUNDLE_SUFFIX}. */
export async function loadBundle(file: string, options: Omit<LoadOptions, 'typecheck'> = {}): Promise<TopologyDefinition> {
  if (!file.endsWith(BUNDLE_SUFFIX)) throw new Error(`a bundle's file name ends with ${BUNDLE_SUFFIX}, got '${file}'`);
  if (!registered) {
    register(new URL('./bundle-hooks.mjs', import.meta.url), { parentURL: pathToFileURL(SQUALL_ROOT).href, data: { root: SQUALL_ROOT } });
    registered = true;
  }
  return loadTopology(file, { ...options, typecheck: false });
}
