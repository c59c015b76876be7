/**
 * Unique names per test, so tests never see each other's topics, files, znodes or keys, even on
 * services shared by several test runs. Each name carries a readable label and a random suffix.
 */
import { randomBytes } from 'node:crypto';

/** Eight random hex characters. */
export function randomSuffix(): string {
  return randomBytes(4).toString('hex');
}

/** Keeps letters, digits, '.', '_' and '-' (what Kafka topic names allow); anything else becomes '-'. */
function clean(label: string): string {
  const cleaned = label.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  return (cleaned || 'test').slice(0, 60);
}

/** A Kafka topic name: `squall-test-<label>-<suffix>`. */
export function uniqueTopic(label = 'test', suffix = randomSuffix()): string {
  return `squall-test-${clean(label)}-${suffix}`;
}

/** A Kafka consumer group id: `squall-test-<label>-<suffix>`. */
export function uniqueGroupId(label = 'test', suffix = randomSuffix()): string {
  return `squall-test-${clean(label)}-${suffix}`;
}

/** An absolute HDFS directory: `/squall-test/<label>-<suffix>`. */
export function uniqueHdfsPath(label = 'test', suffix = randomSuffix()): string {
  return `/squall-test/${clean(label)}-${suffix}`;
}

/** A ZooKeeper root for one test: `/squall-test-<label>-<suffix>`. */
export function uniqueZkRoot(label = 'test', suffix = randomSuffix()): string {
  return `/squall-test-${clean(label)}-${suffix}`;
}

/** A Redis key prefix: `squall-test:<label>:<suffix>:`. */
export function uniqueRedisPrefix(label = 'test', suffix = randomSuffix()): string {
  return `squall-test:${clean(label)}:${suffix}:`;
}

/** One set of names sharing one suffix, for a test that touches several services. */
export interface TestNames {
  readonly suffix: string;
  readonly topic: string;
  readonly groupId: string;
  readonly hdfsPath: string;
  readonly zkRoot: string;
  readonly redisPrefix: string;
}

/** Every kind of name for one test, all with the same random suffix. */
export function testNames(label = 'test'): TestNames {
  const suffix = randomSuffix();
  return Object.freeze({
    suffix,
    topic: uniqueTopic(label, suffix),
    groupId: uniqueGroupId(label, suffix),
    hdfsPath: uniqueHdfsPath(label, suffix),
    zkRoot: uniqueZkRoot(label, suffix),
    redisPrefix: uniqueRedisPrefix(label, suffix),
  });
}
