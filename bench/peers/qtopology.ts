/**
 * qtopology's cases (npm `qtopology`, bench/peers/qtopology/ with its own package.json, installed
 * there on first use and never a dependency of Squall): the same spout → bolt → bolt shape.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchCase } from '../harness/registry.js';
import { runOrThrow } from './prepare.js';

const dir = join(import.meta.dirname, 'qtopology');
let installed = false;
async function prepareQtopology(): Promise<void> {
  if (installed) return;
  if (!existsSync(join(dir, 'node_modules', 'qtopology'))) {
    process.stderr.write('installing qtopology from the npm registry into bench/peers/qtopology (first use)…\n');
    runOrThrow(['npm', 'install', '--no-audit', '--no-fund', '--no-save'], dir, 'installing qtopology');
  }
  installed = true;
}

export const qtopologySize = { tuples: 200_000 };

export function qtopologyCase(profile: 'default' | 'tuned'): BenchCase {
  return {
    id: `qtopology-${profile}`,
    system: 'qtopology',
    label: profile === 'tuned' ? 'messages by reference (pass_binary_messages)' : 'defaults (a JSON copy per hop)',
    prepare: prepareQtopology,
    command: () => ({ argv: [process.execPath, join(dir, 'run.cjs'), '--tuples', String(qtopologySize.tuples), '--profile', profile], cwd: dir }),
  };
}
