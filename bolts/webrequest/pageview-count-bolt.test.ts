import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fields, global, MetricRegistry, nullLogger, topology, type OutputCollector, type Spout, type SpoutOutputCollector, type TopologyContext, type Tuple } from '../../core/index.js';
import { ListSpout } from '../../test/fixtures/components.js';
import { startRuntime } from '../../test/fixtures/harness.js';
import { waitFor } from '../../test/support/wait.js';
import { LocalFileSystem } from '../hdfs/index.js';
import { FileCheckpointStore } from './checkpoint-store.js';
import { PAGEVIEW_CLOSED_FIELDS, PageviewCountBolt } from './pageview-count-bolt.js';
import { PageviewDumpWriterBolt } from './pageview-dump-writer-bolt.js';
import { ERROR_FIELDS, PAGEVIEW_FIELDS } from './streams.js';
import { FilePageviewParts } from './pageview-dump-files.js';

/** Emits rows, then waits: never exhausted, so only a shutdown ends the run. */
class OpenEndedSpout implements Spout {
  #collector!: SpoutOutputCollector;
  #next = 0;
  acked = 0;
  constructor(readonly rows: unknown[][]) {}
  open(_c: unknown, collector: SpoutOutputCollector): void {
    this.#collector = collector;
  }
  nextTuple(): void {
    if (this.#next < this.rows.length) this.#collector.emit(this.rows[this.#next]!, this.#next++);
  }
  ack(): void {
    this.acked++;
  }
}

/**
 * spout → counts (2 tasks, checkpoints and parts under `dir`) → dumps, and the counts' errors
 * into `errors`.
 */
function countsTopology(dir: string, spout: () => Spout, errors: unknown[][] = [], maxSpoutPending?: number) {
  const fs = new LocalFileSystem();
  return topology('pageviews-test', maxSpoutPending === undefined ? {} : { maxSpoutPending })
    .spout('pageviews', { create: spout, outputs: { default: PAGEVIEW_FIELDS } })
    .bolt('counts', {
      create: () =>
        new PageviewCountBolt({
          checkpoints: (ctx) => new FileCheckpointStore(fs, join(dir, '_state', `counts-${ctx.taskId}`)),
          parts: (ctx) => new FilePageviewParts(fs, join(dir, 'pageviews'), ctx.taskId),
        }),
      parallelism: 2,
      inputs: [{ from: 'pageviews', grouping: fields('domain_code', 'page_title') }],
      outputs: { default: PAGEVIEW_CLOSED_FIELDS, errors: ERROR_FIELDS },
    })
    .bolt('dumps', { create: () => new PageviewDumpWriterBolt({ fs: () => fs, dir: join(dir, 'pageviews'), counter: 'counts' }), inputs: [{ from: 'counts', grouping: global() }] })
    .bolt('errors', { create: () => ({ execute: (tuple: Tuple) => void errors.push([...tuple.values]) }), inputs: [{ from: 'counts', stream: 'errors', grouping: global() }] })
    .build();
}

test('pageview counts survive a restart: a run stopped mid-hour resumes from its checkpoint, and the dump holds both runs', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'squall-pageviews-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const hour = Date.UTC(2026, 10, 22, 10);
  // A small maxSpoutPending: the counts bolt holds tuples until a checkpoint, and a stalled
  // spout makes the engine flush it (reason 'stalled'), which saves one without closing the hour.
  const build = (spout: () => Spout) => countsTopology(dir, spout, [], 8);
  let offset = 0;
  const rows = (n: number, title: string) => Array.from({ length: n }, (_, i) => ['en', title, hour + i * 1000, 'requests/0', offset++]);

  const first = new OpenEndedSpout([...rows(30, 'Main_Page'), ...rows(5, 'Zürich')]);
  const run1 = await startRuntime(t, build(() => first));
  await waitFor(() => run1.stats().components.counts!.executed === 35, { message: 'the first run to count all 35 pageviews' });
  const report = await run1.stop();
  assert.equal(report.forced, false);
  assert.equal(first.acked, 35, 'the shutdown flush saved a checkpoint and acked what it holds');
  assert.deepEqual(readdirSync(dir).sort(), ['_state'], 'no dump yet: the hour is still open');

  const run2 = await startRuntime(t, build(() => new ListSpout([...rows(12, 'Main_Page'), ...rows(1, 'Ada_Lovelace')])));
  await run2.completion;
  const dump = readFileSync(join(dir, 'pageviews', 'pageviews-20261122-100000'), 'utf8');
  assert.equal(dump, 'en Ada_Lovelace 1 0\nen Main_Page 42 0\nen Zürich 5 0\n');
  assert.deepEqual(readdirSync(join(dir, 'pageviews')), ['_parts', 'pageviews-20261122-100000'], 'the parts are merged and removed');
  assert.deepEqual(readdirSync(join(dir, 'pageviews', '_parts')), []);
});

test('a re-run over the same pageviews (same source offsets) counts none again: not late, the dump unchanged', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'squall-pageviews-rerun-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const hour = Date.UTC(2026, 10, 22, 10);
  const errors: unknown[][] = [];
  const build = () => countsTopology(dir, () => new ListSpout(Array.from({ length: 40 }, (_, i) => ['en', i % 3 === 0 ? 'Main_Page' : 'Zürich', hour + i * 1000, 'requests/0', i])), errors);
  const dumpPath = join(dir, 'pageviews', 'pageviews-20261122-100000');
  await (await startRuntime(t, build())).completion;
  const first = readFileSync(dumpPath, 'utf8');
  assert.equal(first, 'en Main_Page 14 0\nen Zürich 26 0\n');
  await (await startRuntime(t, build())).completion;
  assert.deepEqual(errors, [], 'no pageview of the re-run is late');
  assert.equal(readFileSync(dumpPath, 'utf8'), first, 'the dump is the same');
  assert.deepEqual(readdirSync(join(dir, 'pageviews')).sort(), ['_parts', 'pageviews-20261122-100000']);
});

test('pageviews alternating between hours are counted in their own hour; an hour closes by the low watermark from refine, not by the pageviews; a late one goes to errors with its hour', async () => {
  const emitted: unknown[][] = [];
  const errors: unknown[][] = [];
  const collector: OutputCollector = {
    emit: (values) => void emitted.push(values),
    emitTo: (stream, values) => (stream === 'errors' ? void errors.push(values) : assert.fail(`nothing on ${stream}: ${JSON.stringify(values)}`)),
    emitDirect: () => {},
    ack: () => {},
    fail: (_tuple, reason) => assert.fail(String(reason)),
    reportError: (error) => assert.fail(String(error)),
  };
  const saved: unknown[] = [];
  const context = {
    topologyName: 'test', componentId: 'counts', taskId: 1, taskIndex: 0, componentTasks: [1], config: { allowedLatenessMs: 60_000, maxSpoutPending: 1_000_000 }, logger: nullLogger,
    metrics: new MetricRegistry().group({ topology: 'test', component: 'counts', task: '1' }), tasksOf: (c: string) => (c === 'refine' ? [7, 8] : [1]), outputFields: () => [],
  } as TopologyContext;
  const parts: unknown[][] = [];
  const bolt = new PageviewCountBolt({
    checkpoints: () => ({ load: () => Promise.resolve(undefined), save: (state) => (saved.push(structuredClone(state)), Promise.resolve()) }),
    parts: () => ({ write: (hour, lines) => (parts.push([hour, [...lines]]), Promise.resolve()) }),
  });
  await bolt.prepare(context, collector);
  const h10 = Date.UTC(2026, 10, 22, 10);
  const h11 = h10 + 3_600_000;
  let next = 0;
  const pageview = (title: string, time: number, offset = next++): Tuple => {
    const values = ['en', title, time, 'webrequest_text/0', offset];
    return { values, fields: PAGEVIEW_FIELDS, sourceComponent: 'refine', sourceStream: 'pageviews', sourceTask: 1, get: <T>(f: string) => values[PAGEVIEW_FIELDS.indexOf(f as never)] as T, isTick: () => false };
  };
  const tick: Tuple = { values: [], fields: [], sourceComponent: '__system', sourceStream: '__tick', sourceTask: -1, get: () => undefined as never, isTick: () => true };
  const watermark = (task: number, time: number): Tuple => ({ values: [time], fields: ['watermark'], sourceComponent: 'refine', sourceStream: 'watermark', sourceTask: task, get: () => time as never, isTick: () => false });
  for (const [title, time] of [['A', h10 + 1], ['B', h11 + 1], ['A', h10 + 2], ['B', h11 + 30 * 60_000]] as const) await bolt.execute(pageview(title, time));
  await bolt.execute(tick);
  assert.deepEqual(emitted, [], 'pageviews far into hour 11 do not close hour 10: only the low watermark does');
  await bolt.execute(watermark(7, h11 + 60_000));
  assert.deepEqual(emitted, [], 'one refine task of two has sent a watermark: nothing closes');
  await bolt.execute(watermark(8, h11 + 59_999));
  assert.deepEqual(emitted, [[h10]], 'the lowest watermark is short of the hour end plus the allowed lateness (1 min): only the progress before hour 10 goes downstream');
  assert.deepEqual(parts, []);
  await bolt.execute(watermark(8, h11 + 90_000));
  assert.deepEqual(parts, [[h10, ['en A 2 0']]], 'hour 10 closes on the slowest refine task, a minute past its end: its part is written');
  assert.deepEqual(emitted.slice(1), [[h11]], 'and the dump writer is told once the checkpoint holds the close');
  await bolt.execute(pageview('A', h10 + 3));
  assert.deepEqual(errors, [['en A', "late pageview for hour 2026-11-22T10:00:00.000Z: it arrived after the hour closed (the low watermark passed its end by allowedLatenessMs=60000) and its dump was written", 'webrequest_text/0@4']], 'late, with its source position');
  await bolt.execute(pageview('A', h10 + 1, 0));
  assert.equal(errors.length, 1, 'a replay of a pageview hour 10 counted is not late: it is in the dump already');
  for (const [title, time] of [['A', h11 + 5], ['B', h11 + 6]] as const) await bolt.execute(pageview(title, time));
  await bolt.execute(pageview('B', h11 + 6, 6));
  await bolt.flush('end-of-input');
  assert.deepEqual(parts[1], [h11, ['en B 3 0', 'en A 1 0']], 'the replay of offset 6 is not counted twice');
  assert.deepEqual(emitted[2], [h11 + 3_600_000]);
  assert.deepEqual(saved.at(-1), { hours: {}, closedThrough: h11 + 3_600_000, watermark: h11 + 60_000, counted: { 'webrequest_text/0': [0, 3, 5, 6] } }, 'the checkpoint holds what was counted, and where from');
});
