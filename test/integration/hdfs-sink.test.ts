/**
 * The HDFS sink and its WebHDFS client against the real HDFS that infra/ runs (WebHDFS on
 * 127.0.0.1:$SQUALL_WEBHDFS_PORT, user $SQUALL_HDFS_USER or 'squall'). Starts HDFS if it is not
 * up; fails, with the script's output, if it cannot.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  AvroContainerFormat,
  HdfsErrorCodes,
  HdfsSinkBolt,
  OffsetRangeFileNameFormat,
  SUCCESS_FLAG,
  WebHdfsFileSystem,
  committedOffsets,
  type HdfsSinkOptions,
} from '../../bolts/hdfs/index.js';
import { RecordingCollector, TEST_SCHEMA, at, decodeAvro, sinkContext, sourceTuple } from '../../bolts/hdfs/sink-test-kit.js';
import { SquallError } from '../../core/index.js';
import { infraSettings, startService, uniqueHdfsPath } from '../support/index.js';

const user = process.env.SQUALL_HDFS_USER || 'squall';
const url = `http://${infraSettings.hdfs.host}:${infraSettings.hdfs.webhdfsPort}`;
const names = new OffsetRangeFileNameFormat();

/** Every file under `dir` on HDFS, as paths relative to it. */
async function tree(fs: WebHdfsFileSystem, dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.list(rel === '' ? dir : `${dir}/${rel}`)) {
    const path = rel === '' ? e.name : `${rel}/${e.name}`;
    if (e.type === 'directory') out.push(...(await tree(fs, dir, path)));
    else out.push(path);
  }
  return out.sort();
}

describe('HDFS over WebHDFS (integration)', () => {
  let fs: WebHdfsFileSystem;
  let root: string;

  before(async () => {
    try {
      await startService('hdfs');
    } catch (error) {
      assert.fail(`HDFS is not available and 'bash infra/hdfs.sh up' could not start it, so this test cannot run:\n${(error as Error).message}`);
    }
    fs = new WebHdfsFileSystem({ url, user });
    root = uniqueHdfsPath('hdfs-sink');
  });

  after(async () => {
    if (fs === undefined) return;
    await fs.delete(root, { recursive: true }).catch(() => {});
    await fs.close();
  });

  it('creates, appends, renames, lists, reads and deletes', async () => {
    const dir = `${root}/client`;
    await fs.mkdirs(dir);
    await fs.create(`${dir}/a.txt`, Buffer.from('hello '));
    await fs.append(`${dir}/a.txt`, Buffer.from('world'));
    await fs.sync(`${dir}/a.txt`);
    await fs.rename(`${dir}/a.txt`, `${dir}/b.txt`);
    assert.equal((await fs.read(`${dir}/b.txt`)).toString(), 'hello world');
    assert.deepEqual(
      (await fs.list(dir)).map((s) => [s.name, s.type, s.length]),
      [['b.txt', 'file', 11]],
    );
    assert.equal(await fs.exists(`${dir}/a.txt`), false);
    await fs.create(`${dir}/c.txt`, Buffer.from('c'));
    await assert.rejects(fs.rename(`${dir}/c.txt`, `${dir}/b.txt`), (e: unknown) => e instanceof SquallError && e.code === HdfsErrorCodes.ALREADY_EXISTS);
    await assert.rejects(fs.create(`${dir}/c.txt`, Buffer.from('x')), (e: unknown) => e instanceof SquallError && e.code === HdfsErrorCodes.ALREADY_EXISTS);
    await assert.rejects(fs.read(`${dir}/none`), (e: unknown) => e instanceof SquallError && e.code === HdfsErrorCodes.NOT_FOUND);
    const stream = await fs.createStream(`${dir}/streamed.bin`);
    const big = Buffer.alloc(5 * 2 ** 20, 7);
    await stream.write(Buffer.from('head'));
    await stream.write(big);
    await stream.close();
    const read = await fs.read(`${dir}/streamed.bin`);
    assert.equal(read.length, 4 + big.length);
    assert.equal(read.subarray(0, 4).toString(), 'head');
    assert.equal(await fs.delete(dir, { recursive: true }), true);
    assert.equal(await fs.exists(dir), false);
  });

  it('commits Avro files exactly once across a crash and a replay, and flags complete hours', async () => {
    const sinkRoot = `${root}/webrequest`;
    const options: HdfsSinkOptions = {
      fileSystem: fs,
      root: sinkRoot,
      format: new AvroContainerFormat({ schema: TEST_SCHEMA as never, codec: 'snappy', blockBytes: 1024 }),
      rotation: { maxRecords: 30 },
      // Small, so the files are on HDFS before the crash; each write to HDFS closes a block (slow).
      writeBufferBytes: 2048,
      availability: { lagMs: 0, checkIntervalMs: 1 },
      hive: { table: 'webrequest' },
      timerIntervalMs: 3_600_000,
    };
    const event = (o: number) => ({ id: o, dt: at(o < 80 ? 10 : 11, o % 60), text: createHash('sha256').update(String(o)).digest('hex').repeat(3), tags: { source: 'text' } });

    const first = new HdfsSinkBolt(options);
    const c1 = new RecordingCollector();
    await first.prepare(sinkContext(), c1);
    for (let o = 0; o < 100; o++) await first.execute(sourceTuple(event(o), 'webrequest_text', 0, o));
    await first.settled();
    // Hour 10 holds 0..79: files 0..29, 30..59 committed; 60..79 open. Hour 11: 80..99 open.
    assert.equal(c1.acked.length, 60);
    assert.ok((await tree(fs, sinkRoot)).some((p) => p.includes('/_tmp.')), 'open files are on HDFS under temporary names');
    // Crash: the first bolt is dropped without flush or cleanup.

    const second = new HdfsSinkBolt(options);
    const c2 = new RecordingCollector();
    await second.prepare(sinkContext(), c2);
    assert.deepEqual((await tree(fs, sinkRoot)).filter((p) => p.includes('/_tmp.')), [], 'prepare removed the temporary files');
    for (let o = 0; o < 100; o++) await second.execute(sourceTuple(event(o), 'webrequest_text', 0, o));
    assert.equal(c2.acked.length, 60, 'committed offsets are acked without writing');
    await second.flush();
    assert.equal(c2.acked.length, 100);
    await second.cleanup();

    const files = await tree(fs, sinkRoot);
    const seen = new Map<number, number>();
    for (const p of files) {
      if (names.parseCommitted(p.split('/').pop()!) === undefined) continue;
      for (const r of await decodeAvro(await fs.read(`${sinkRoot}/${p}`))) {
        const id = (r as { id: number }).id;
        seen.set(id, (seen.get(id) ?? 0) + 1);
      }
    }
    assert.equal(seen.size, 100);
    for (let o = 0; o < 100; o++) assert.equal(seen.get(o), 1, `offset ${o} committed exactly once`);
    assert.deepEqual(await committedOffsets(fs, sinkRoot), new Map([['webrequest_text/0', 100]]));
    assert.ok(files.includes(`year=2024/month=01/day=15/hour=10/${SUCCESS_FLAG}`), 'hour 10 is complete: the watermark is in hour 11');
    assert.ok(!files.includes(`year=2024/month=01/day=15/hour=11/${SUCCESS_FLAG}`));
    assert.ok(files.includes('_hive/webrequest.ddl'));
    assert.match((await fs.read(`${sinkRoot}/_hive/webrequest.ddl`)).toString(), /^CREATE EXTERNAL TABLE IF NOT EXISTS `webrequest`\n/);
  });
});
