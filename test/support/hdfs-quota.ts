/**
 * HDFS space quotas for tests, set and cleared with Hadoop's DFSAdmin on the classpath that
 * `infra/hdfs.sh` resolved (as `hdfs dfsadmin -setSpaceQuota` would). A test that sets one clears
 * it in its `after`.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { infraSettings } from './infra.js';

const run = promisify(execFile);

async function dfsAdmin(...args: string[]): Promise<void> {
  const dir = join(infraSettings.stateDir, 'hdfs');
  const classpath = (await readFile(join(dir, 'classpath.txt'), 'utf8')).trim();
  await run('java', ['-Xmx128m', '-cp', `${join(dir, 'conf')}:${classpath}`, 'org.apache.hadoop.hdfs.tools.DFSAdmin', '-fs', infraSettings.hdfs.defaultFs, ...args]);
}

/** Limits the bytes (times replication) stored under `path`, an existing directory. */
export function setSpaceQuota(path: string, bytes: number): Promise<void> {
  return dfsAdmin('-setSpaceQuota', String(bytes), path);
}

/** Lifts the space quota of `path`. */
export function clearSpaceQuota(path: string): Promise<void> {
  return dfsAdmin('-clrSpaceQuota', path);
}
