/**
 * Apache's own avro-tools (Java), an independent reader of the Avro files the HDFS sink writes.
 * Fetched from Maven Central with `mvn dependency:copy` into the state dir on first use, then
 * cached there for every later run.
 *
 * @example
 * ```ts
 * import { avroTools, ensureAvroTools } from '../support/avro-tools.js';
 * before(() => ensureAvroTools());
 * assert.equal((await avroTools('count', file)).trim(), '1500');
 * ```
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { infraSettings } from './infra.js';

const run = promisify(execFile);

/** The avro-tools release used. */
export const AVRO_TOOLS_VERSION = '1.11.4';
const toolsDir = join(infraSettings.stateDir, 'avro-tools');
const jar = join(toolsDir, `avro-tools-${AVRO_TOOLS_VERSION}.jar`);

/** Fetches avro-tools with Maven once and resolves with the jar's path; later calls reuse it. */
export async function ensureAvroTools(): Promise<string> {
  if (existsSync(jar)) return jar;
  // Download beside the cache and move the jar in, so a concurrent or interrupted run never
  // leaves a partial jar under the final name.
  await mkdir(toolsDir, { recursive: true });
  const staging = await mkdtemp(join(toolsDir, '.download-'));
  try {
    await run('mvn', ['-q', '-B', 'dependency:copy', `-Dartifact=org.apache.avro:avro-tools:${AVRO_TOOLS_VERSION}`, `-DoutputDirectory=${staging}`], {
      timeout: 600_000,
      maxBuffer: 16 * 2 ** 20,
    });
    const fetched = (await readdir(staging)).find((n) => n.endsWith('.jar'));
    if (fetched === undefined) throw new Error(`mvn dependency:copy put no jar in ${staging}`);
    if (!existsSync(jar)) await rename(join(staging, fetched), jar);
  } catch (error) {
    const detail = (error as { stderr?: string; stdout?: string }).stdout || (error as Error).message;
    assert.fail(`could not fetch avro-tools ${AVRO_TOOLS_VERSION} with Maven (needs java and mvn, and Maven Central): ${detail}`);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return jar;
}

/** Runs `java -jar avro-tools.jar <args>` and resolves with what it printed. Call {@link ensureAvroTools} first. */
export async function avroTools(...args: string[]): Promise<string> {
  const { stdout } = await run('java', ['-jar', jar, ...args], { timeout: 120_000, maxBuffer: 64 * 2 ** 20 });
  return stdout;
}
