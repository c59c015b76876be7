import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fields, global, shuffle, topology, type Spout, type SpoutOutputCollector } from '../../core/index.js';
import { FnBolt, ListSpout } from '../../test/fixtures/components.js';
import { startRuntime } from '../../test/fixtures/harness.js';
import { waitFor } from '../../test/support/wait.js';
import { LocalFileSystem } from '../hdfs/index.js';
import { CanonicalizeBolt } from './canonicalize-bolt.js';
import { FileCheckpointStore } from './checkpoint-store.js';
import { PageviewCountBolt } from './pageview-count-bolt.js';
import { PageviewDumpWriterBolt } from './pageview-dump-writer-bolt.js';
import { ERROR_FIELDS, PAGEVIEW_FIELDS, RECORD_FIELDS, SEQUENCE_FIELDS } from './streams.js';

const SOURCE = { default: ['topic', 'partition', 'offset', 'key', 'value', 'timestamp', 'headers'] } as const;

function line(sequence: number, overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    hostname: 'cp1001.eqiad.wmnet', sequence, dt: '2026-11-22T10:15:00Z', time_firstbyte: 0.01, ip: '203.0.113.9', cache_status: 'hit', http_status: '200',
    response_size: 100, http_method: 'GET', uri_host: 'en.wikipedia.org', uri_path: '/wiki/Main_Page', uri_query: '', content_type: 'text/html; charset=UTF-8',
    referer: '-', x_forwarded_for: '-', user_agent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0', accept_language: 'en', x_analytics: '', range: '-', x_cache: '-', accept: '-',
    ...overrides,
  });
}

test('canonicalize: records, sequence and pageview streams; a malformed line goes to errors with its reason and no IP', async (t) => {
  const rows = [line(1), line(2, { user_agent: 'Googlebot/2.1 (+http://www.google.com/bot.html)' }), '{"hostname":"cp1","ip":"203.0.113.9",', line(3, { dt: '-' })].map((value, i) => [
    'webrequest_text', 0, i, null, value, 0, {},
  ]);
  const got: Record<string, unknown[][]> = { default: [], errors: [], sequence: [], pageviews: [] };
  const collect = (stream: string) => () => new FnBolt((tuple) => void got[stream]!.push([...tuple.values]));
  const definition = topology('canonicalize-test')
    .spout('source', { create: () => new ListSpout(rows), outputs: SOURCE })
    .bolt('canonicalize', {
      create: () => new CanonicalizeBolt(),
      inputs: [{ from: 'source', grouping: shuffle() }],
      outputs: { default: RECORD_FIELDS, errors: ERROR_FIELDS, sequence: SEQUENCE_FIELDS, pageviews: PAGEVIEW_FIELDS },
    })
    .bolt('records', { create: collect('default'), inputs: [{ from: 'canonicalize', grouping: shuffle() }] })
    .bolt('errors', { create: collect('errors'), inputs: [{ from: 'canonicalize', stream: 'errors', grouping: shuffle() }] })
    .bolt('sequence', { create: collect('sequence'), inputs: [{ from: 'canonicalize', stream: 'sequence', grouping: shuffle() }] })
    .bolt('pageviews', { create: collect('pageviews'), inputs: [{ from: 'canonicalize', stream: 'pageviews', grouping: shuffle() }] })
    .build();
  const runtime = await startRuntime(t, definition);
  await runtime.completion;

  assert.equal(got.default!.length, 3);
  const first = got.default!.find((r) => r[2] === 0)!;
  const record = first[0] as { webrequest_source: string; is_pageview: boolean; agent_type: string };
  assert.deepEqual([first[1], first[2], first[3]], ['webrequest_text', 0, 0], 'source coordinates ride along for the sink');
  assert.equal(record.webrequest_source, 'text');
  assert.equal(record.is_pageview, true);
  assert.deepEqual(got.sequence!.map((s) => s[1]).sort(), [1, 2, 3], 'every parsed record feeds the sequence check');
  assert.equal(got.sequence!.find((s) => s[1] === 3)![2], null, 'a record without dt has no time');
  assert.deepEqual(got.pageviews!.map((p) => [p[0], p[1]]), [['en', 'Main_Page']], 'only a user pageview with a time is counted');
  assert.equal(got.errors!.length, 1);
  const [value, reason, origin] = got.errors![0] as [string, string, string];
  assert.equal(origin, 'webrequest_text/0@2');
  assert.ok(reason.length > 0 && !reason.includes('203.0.113.9'));
  assert.ok(!value.includes('203.0.113.9'), 'the error value is redacted');
});

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

test('pageview counts survive a restart: a run stopped mid-hour resumes from its checkpoint, and the dump holds both runs', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'squall-pageviews-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const fs = new LocalFileSystem();
  const hour = Date.UTC(2026, 10, 22, 10);
  const build = (spout: () => Spout) =>
    // A small maxSpoutPending: the counts bolt holds tuples until a checkpoint, and a stalled
    // spout makes the engine flush it (reason 'stalled'), which saves one without closing the hour.
    topology('pageviews-test', { maxSpoutPending: 8 })
      .spout('pageviews', { create: spout, outputs: { default: PAGEVIEW_FIELDS } })
      .bolt('counts', {
        create: () => new PageviewCountBolt({ checkpoints: (ctx) => new FileCheckpointStore(fs, join(dir, '_state', `counts-${ctx.taskId}`)) }),
        parallelism: 2,
        inputs: [{ from: 'pageviews', grouping: fields('domain_code', 'page_title') }],
        outputs: { default: ['hour', 'lines', 'closed_through'], errors: ERROR_FIELDS },
      })
      .bolt('dumps', { create: () => new PageviewDumpWriterBolt({ fs: () => fs, dir: join(dir, 'pageviews'), counter: 'counts' }), inputs: [{ from: 'counts', grouping: global() }] })
      .build();
  const rows = (n: number, title: string) => Array.from({ length: n }, (_, i) => ['en', title, hour + i * 1000]);

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
});
