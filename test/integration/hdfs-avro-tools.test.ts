/**
 * Avro files written by the HDFS sink must be readable by an independent reader: Apache's own
 * avro-tools (Java), fetched from Maven Central into the state dir on first use and cached.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AvroContainerFormat, HdfsSinkBolt, LocalFileSystem, OffsetRangeFileNameFormat } from '../../bolts/hdfs/index.js';
import { RecordingCollector, TEST_SCHEMA, at, sinkContext, sourceTuple } from '../../bolts/hdfs/sink-test-kit.js';
import { avroTools, ensureAvroTools } from '../support/avro-tools.js';

describe('Avro files from the HDFS sink, read by avro-tools', () => {
  let root: string;
  before(async () => {
    await ensureAvroTools();
    root = await mkdtemp(join(tmpdir(), 'squall-avro-tools-'));
  });
  after(async () => {
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  for (const codec of ['snappy', 'deflate'] as const) {
    it(`counts and dumps every record of a ${codec} file`, async () => {
      const dir = join(root, codec);
      const bolt = new HdfsSinkBolt({
        fileSystem: new LocalFileSystem(),
        root: dir,
        format: new AvroContainerFormat({ schema: TEST_SCHEMA as never, codec, blockBytes: 8192 }),
        availability: false,
        hive: false,
      });
      const collector = new RecordingCollector();
      await bolt.prepare(sinkContext(), collector);
      const count = 1500;
      for (let i = 0; i < count; i++) {
        await bolt.execute(sourceTuple({ id: i, dt: at(10, i % 60), text: `record ${i} ${'é'.repeat(i % 7)}`, tags: { n: String(i) } }, 'webrequest_text', 2, i));
      }
      await bolt.flush();
      await bolt.cleanup();
      assert.equal(collector.acked.length, count);

      const names = new OffsetRangeFileNameFormat();
      const hourDir = join(dir, 'year=2024/month=01/day=15/hour=10');
      const files = (await readdir(hourDir)).filter((n) => names.parseCommitted(n) !== undefined);
      assert.equal(files.length, 1);
      const file = join(hourDir, files[0]!);

      assert.equal((await avroTools('count', file)).trim(), String(count));
      const meta = await avroTools('getmeta', file);
      assert.match(meta, new RegExp(`avro\\.codec\\s+${codec}`));
      const rows = (await avroTools('tojson', file))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { id: number; text: string; tags: Record<string, string> });
      assert.equal(rows.length, count);
      assert.deepEqual(
        rows.map((r) => r.id),
        Array.from({ length: count }, (_, i) => i),
      );
      assert.equal(rows[6]!.text, `record 6 ${'é'.repeat(6)}`);
      assert.deepEqual(rows[42]!.tags, { n: '42' });
    });
  }
});
