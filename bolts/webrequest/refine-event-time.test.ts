/**
 * The event-time bounds and the low watermark, where refine applies them: once, before any
 * hourly output (the sink's records, the pageviews, the sequence facts) sees a record.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger, type EventTimeOptions, MetricRegistry, type OutputCollector, type TopologyContext, type Tuple } from '../../core/index.js';
import { metricValue } from '../../test/fixtures/harness.js';
import { RefineBolt } from './refine-bolt.js';
import { MemorySaltStore } from './salt-store.js';

const SOURCE_FIELDS = ['topic', 'partition', 'offset', 'key', 'value', 'timestamp', 'headers'] as const;
const IP = '198.51.100.23';

function line(sequence: number, dt: string, hostname = 'cp1001.eqiad.wmnet'): string {
  return JSON.stringify({
    hostname, sequence, dt, time_firstbyte: 0.01, ip: IP, cache_status: 'hit', http_status: '200', response_size: 100, http_method: 'GET', uri_host: 'en.wikipedia.org',
    uri_path: '/wiki/Main_Page', uri_query: '', content_type: 'text/html; charset=UTF-8', referer: '-', x_forwarded_for: '-', user_agent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0',
    accept_language: 'en', x_analytics: '', range: '-', x_cache: '-', accept: '-',
  });
}

function sourceTuple(partition: number, offset: number, value: string): Tuple {
  const values = ['webrequest_text', partition, offset, null, value, 0, {}];
  return { values, fields: SOURCE_FIELDS, sourceComponent: 'source', sourceStream: 'default', sourceTask: 1, get: <T>(f: string) => values[SOURCE_FIELDS.indexOf(f as never)] as T, isTick: () => false };
}

/** Drives a refine bolt (on its main thread) over lines of partition 0; returns every emit in order, the warnings and the metrics. */
async function refine(lines: readonly (readonly [number, string])[], eventTime: EventTimeOptions) {
  const events: [string, unknown[]][] = [];
  const collector: OutputCollector = {
    emit: (values) => void events.push(['default', values]),
    emitTo: (stream, values) => void events.push([stream, values]),
    emitDirect: () => assert.fail('no direct emits'),
    ack: () => {},
    fail: (_tuple, reason) => assert.fail(`nothing fails: ${String(reason)}`),
    reportError: (error) => assert.fail(String(error)),
  };
  const warnings: string[] = [];
  const registry = new MetricRegistry();
  const context = {
    topologyName: 'test', componentId: 'refine', taskId: 1, taskIndex: 0, componentTasks: [1], config: {},
    logger: createLogger((r) => void (r.level === 'warn' && warnings.push(r.message)), 'info'),
    metrics: registry.group({ topology: 'test', component: 'refine', task: '1' }), tasksOf: () => [1], outputFields: (s?: string) => (s === 'watermark' ? ['watermark'] : ['x']),
  } as unknown as TopologyContext;
  const bolt = new RefineBolt({ batchSize: 100, saltStore: new MemorySaltStore(), eventTime });
  await bolt.prepare(context, collector);
  for (const [i, [partition, value]] of lines.entries()) await bolt.execute(sourceTuple(partition, i, value));
  await bolt.flush();
  await bolt.cleanup();
  const refused = (reason: string) => metricValue(registry, 'squall_webrequest_event_time_refused_total', { reason });
  return { events, warnings, refused };
}

const seqOf = (events: [string, unknown[]][], stream: string) => events.filter((e) => e[0] === stream);

test('wall clock: a record from 2099 and one from 1999 go to errors with the bound and the value; no hourly output sees them; one warning for their host', async () => {
  const t0 = Math.floor((Date.now() - 30 * 60_000) / 1000) * 1000;
  const dt = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  const { events, warnings, refused } = await refine(
    [[0, line(1, dt(t0))], [0, line(2, '2099-01-01T00:00:00Z')], [0, line(3, '1999-01-01T00:00:00Z')], [0, line(4, dt(t0 + 60_000))]],
    { reference: 'wall-clock' },
  );
  const errors = seqOf(events, 'errors').map((e) => e[1] as [string, string, string]);
  assert.equal(errors.length, 2);
  assert.match(errors[0]![1], /^event time 2099-01-01T00:00:00\.000Z is more than eventTimeMaxAheadMs=600000 \(10 min\) ahead of the wall clock \(/);
  assert.match(errors[1]![1], /^event time 1999-01-01T00:00:00\.000Z is more than eventTimeMaxAgeMs=604800000 \(7 d\) older than the wall clock \(/);
  assert.deepEqual(errors.map((e) => e[2]), ['webrequest_text/0@1', 'webrequest_text/0@2']);
  assert.ok(errors.every((e) => !e[0].includes(IP) && e[0].includes('[ip redacted]')), 'the error values are redacted');
  assert.deepEqual(seqOf(events, 'default').map((e) => (e[1][0] as { sequence: number }).sequence), [1, 4], 'the sink gets only the records in bounds');
  assert.deepEqual(seqOf(events, 'pageviews').map((e) => e[1][2]), [t0, t0 + 60_000], 'the pageview counts too');
  const [facts] = seqOf(events, 'sequence').map((e) => e[1]);
  assert.deepEqual([facts![1], facts![2]], [[1, 2, 3, 4], [t0, null, null, t0 + 60_000]], 'the sequence check counts all four as delivered, the refused ones without a time');
  assert.equal(refused('ahead'), 1);
  assert.equal(refused('too_old'), 1);
  const hostWarnings = warnings.filter((w) => w.startsWith('event time: cp1001.eqiad.wmnet sent a record outside the bounds'));
  assert.equal(hostWarnings.length, 1, `one warning for the host in this hour: ${JSON.stringify(warnings)}`);
  assert.ok(warnings.includes('event time: 2 records were outside the bounds and went to errors: 1 ahead of the wall clock (ahead), 1 too old (too_old)'), 'the summary by reason');
  assert.ok(!JSON.stringify(warnings).includes(IP));
  const watermarks = seqOf(events, 'watermark');
  assert.deepEqual(watermarks.map((e) => e[1]), [[t0 + 60_000]], 'the low watermark: the latest time in bounds, never 2099');
  assert.equal(events.at(-1)![0], 'watermark', 'sent after the records it covers');
});

test("stream reference: last week's records pass; one more than 7 days older than its partition's watermark is refused; the low watermark is the slowest partition's", async () => {
  const h10 = Date.UTC(2026, 10, 22, 10);
  const { events, refused } = await refine(
    [[0, line(1, '2026-11-22T10:00:00Z')], [1, line(1, '2026-11-22T10:20:00Z', 'cp2')], [0, line(2, '2026-11-14T09:00:00Z')], [0, line(3, '2026-11-22T10:40:00Z')]],
    { reference: 'stream' },
  );
  assert.deepEqual(seqOf(events, 'errors').map((e) => (e[1] as string[])[1]), ["event time 2026-11-14T09:00:00.000Z is more than eventTimeMaxAgeMs=604800000 (7 d) older than its partition's low watermark (2026-11-22T10:00:00.000Z)"]);
  assert.equal(refused('too_old'), 1);
  assert.equal(refused('ahead'), 0);
  assert.deepEqual(seqOf(events, 'watermark').map((e) => e[1]), [[h10 + 20 * 60_000]], 'partition 1 is the slowest');
});
