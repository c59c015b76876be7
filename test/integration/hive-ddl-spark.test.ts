/**
 * Issue #12: the Hive statements the refined sink writes work in a real engine. The README's
 * topology refines generated traffic spread over hours into local Avro output; Spark SQL with
 * Hive support (pyspark from PyPI, installed by `bash infra/spark.sh up`; local mode, an embedded
 * Derby metastore in a temporary directory) runs `_hive/webrequest.ddl` and every partition
 * statement, and its per-hour counts equal the records in each published hour, counted from the
 * Avro files by avsc's own reader.
 *
 * Hive refuses a partition column that repeats a data column: with year, month, day and hour in
 * the Avro schema as well, the CREATE TABLE fails (`COLUMN_ALREADY_EXISTS`).
 *
 * @squall-test slow (started first, so the two lanes of `npm test` end together)
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import avro from 'avsc';
import { avroDecoderCodecs } from '../../bolts/hdfs/index.js';
import { REPO_ROOT, ensureSpark, runNimbus } from '../support/index.js';

const RECORDS = 20_000;
// Two lines a second of event time: 20,000 lines span about 2.8 hours, so two hours close (their
// data is complete and their partition statement is written) and the last stays open.
const RATE = 2;
const HOUR_MS = 3_600_000;

const dir = mkdtempSync(join(tmpdir(), 'squall-hive-ddl-'));
const output = join(dir, 'out');
const refined = join(output, 'webrequest');
let python: string;

before(async () => {
  python = await ensureSpark();
});

after(() => rmSync(dir, { recursive: true, force: true }));

const progress = (message: string) => process.stderr.write(`[hive-ddl-spark] ${message}\n`);

/** `year=2026/month=11/day=22/hour=10` directories under `root` that hold committed Avro files. */
function hourDirs(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      if (e.name.startsWith('_') || e.name.startsWith('.')) continue;
      const path = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(path);
      else if (e.name.endsWith('.avro') && !out.includes(rel)) out.push(rel);
    }
  };
  walk('');
  return out.sort();
}

/** Records in the committed Avro files of one directory, read with avsc's file decoder. */
async function countRecords(path: string): Promise<{ records: number; minTs: number; maxTs: number }> {
  let records = 0;
  let minTs = Infinity;
  let maxTs = -Infinity;
  for (const name of readdirSync(path).filter((n) => n.endsWith('.avro') && !n.startsWith('_') && !n.startsWith('.'))) {
    await new Promise<void>((resolve, reject) => {
      avro
        .createFileDecoder(join(path, name), { codecs: avroDecoderCodecs() as never })
        .on('data', (r: { ts: number }) => {
          records++;
          minTs = Math.min(minTs, r.ts);
          maxTs = Math.max(maxTs, r.ts);
        })
        .on('end', resolve)
        .on('error', reject);
    });
  }
  return { records, minTs, maxTs };
}

interface SparkRun {
  readonly code: number | null;
  readonly rows: Record<string, number>[];
  readonly log: string;
}

/** Runs test/support/spark-hive-sql.py: the statement files in order, then `query`. */
function sparkSql(query: string, files: readonly string[]): Promise<SparkRun> {
  const cwd = join(dir, `spark-${Date.now()}`);
  mkdirSync(cwd);
  return new Promise((resolve, reject) => {
    const child = spawn(python, [join(REPO_ROOT, 'test/support/spark-hive-sql.py'), query, ...files], {
      cwd,
      env: { ...process.env, SPARK_LOCAL_IP: '127.0.0.1', PYSPARK_PYTHON: python },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let log = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => {
      log += d;
      // Our own progress lines as they come; Spark's log stays in spark.log unless this fails.
      for (const line of d.toString('utf8').split('\n')) if (line.startsWith('[spark-hive-sql]')) process.stderr.write(`${line}\n`);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      writeFileSync(join(cwd, 'spark.log'), log);
      const rows = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, number>);
      resolve({ code, rows, log });
    });
  });
}

/** What failed in a Spark run: the script's own lines (which name the statement and Spark's error). */
const failure = (log: string) =>
  log
    .split('\n')
    .filter((l) => l.startsWith('[spark-hive-sql]'))
    .join('\n');

test('Spark SQL with Hive support creates the table from the generated DDL and counts every published hour', { timeout: 900_000 }, async () => {
  const input = join(dir, 'requests.ndjson');
  progress(`generating ${RECORDS} lines at ${RATE} a second of event time`);
  const generated = await runNimbus(['generate', '-n', String(RECORDS), '--rate', String(RATE), '--seed', '12', '-o', input]);
  assert.equal(generated.code, 0, generated.stderr);

  progress('refining them into local Avro output with topologies/webrequest.ts');
  const run = await runNimbus(['local', 'topologies/webrequest.ts', '-c', `input=${input}`, '-c', `output=${output}`, '-c', 'threads=0']);
  assert.equal(run.code, 0, run.stderr);

  const ddl = join(refined, '_hive/webrequest.ddl');
  assert.ok(existsSync(ddl), 'the sink wrote the table DDL');
  const partitionDir = join(refined, '_hive/webrequest.partitions');
  const statements = readdirSync(partitionDir).filter((n) => n.endsWith('.hql')).sort();

  // The published hours: those with _SUCCESS, each with its partition statement.
  const hours = hourDirs(refined);
  const published = hours.filter((h) => existsSync(join(refined, h, '_SUCCESS')));
  assert.ok(published.length >= 2, `at least two hours closed: ${hours.join(', ')}`);
  assert.ok(published.length < hours.length, 'the last hour stays open (no _SUCCESS, no statement)');
  assert.deepEqual(statements, published.map((h) => `${h.replace(/\//g, '.')}.hql`), 'one partition statement per published hour');

  const expected: Record<string, number>[] = [];
  for (const h of published) {
    const [year, month, day, hour] = /^year=(\d+)\/month=(\d+)\/day=(\d+)\/hour=(\d+)$/.exec(h)!.slice(1).map(Number) as [number, number, number, number];
    const counted = await countRecords(join(refined, h));
    const start = Date.UTC(year, month - 1, day, hour);
    assert.ok(counted.minTs >= start && counted.maxTs < start + HOUR_MS, `every record of ${h} is of that hour`);
    expected.push({ year, month, day, hour, records: counted.records, min_ts: counted.minTs, max_ts: counted.maxTs });
  }
  progress(`avsc counts ${expected.map((e) => `${e.records} in hour ${e.hour}`).join(', ')}; running the statements in Spark SQL`);

  const spark = await sparkSql(
    'SELECT year, month, day, hour, count(*) AS records, min(ts) AS min_ts, max(ts) AS max_ts FROM webrequest GROUP BY year, month, day, hour ORDER BY year, month, day, hour',
    [ddl, ...statements.map((s) => join(partitionDir, s))],
  );
  assert.equal(spark.code, 0, `Spark SQL failed on the sink's Hive statements:\n${failure(spark.log)}`);
  assert.deepEqual(spark.rows, expected, "Spark's per-hour counts and event-time bounds equal the records in each published hour");
});
