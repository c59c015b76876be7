/** The webrequest topology's case for the memory benchmark (and its records/s). */
import { join } from 'node:path';
import type { BenchCase } from '../harness/registry.js';

export const webrequestSize = { records: 300_000 };

export function webrequestCase(): BenchCase {
  return {
    id: 'webrequest-local',
    system: 'Squall',
    label: 'webrequest, local mode, generator input',
    unit: 'records',
    command: () => ({ argv: [process.execPath, '--import', 'tsx', join(import.meta.dirname, 'webrequest-local.ts'), '--records', String(webrequestSize.records)] }),
  };
}
