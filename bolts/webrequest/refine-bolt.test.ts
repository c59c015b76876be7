import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { MetricRegistry, nullLogger, SquallError, shuffle, ThreadPool, topology, type OutputCollector, type TaskThreads, type TopologyContext, type Tuple } from '../../core/index.js';
import { FnBolt, ListSpout, newLedger } from '../../test/fixtures/components.js';
import { metricValue, startRuntime } from '../../test/fixtures/harness.js';
import { crashMarker } from './fixtures/crash-once-refine-thread.js';
import { compileRefineBoltOptions, RefineBolt, type RefineBoltOptions } from './refine-bolt.js';
import { MemorySaltStore, type SaltStore } from './salt-store.js';
import { SALT_UNAVAILABLE } from './redis-salt-store.js';
import { ERROR_FIELDS, PAGEVIEW_FIELDS, RECORD_FIELDS, SEQUENCE_FIELDS } from './streams.js';
import { webrequestRefinedAvroType } from './schema-avro.js';
import { AvroContainerFormat, EncodedRecord, encodingKey, NdjsonFormat } from '../hdfs/index.js';

const SOURCE = { default: ['topic', 'partition', 'offset', 'key', 'value', 'timestamp', 'headers'] } as const;
const IP = '203.0.113.9';

function line(sequence: number, overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    hostname: 'cp1001.eqiad.wmnet', sequence, dt: '2026-11-22T10:15:00Z', time_firstbyte: 0.01, ip: IP, cache_status: 'hit', http_status: '200',
    response_size: 100, http_method: 'GET', uri_host: 'en.wikipedia.org', uri_path: '/wiki/Main_Page', uri_query: '', content_type: 'text/html; charset=UTF-8',
    referer: '-', x_forwarded_for: '-', user_agent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0', accept_language: 'en', x_analytics: '', range: '-', x_cache: '-', accept: '-',
    ...overrides,
  });
}

const rowsOf = (values: string[]) => values.map((value, i) => ['webrequest_text', 0, i, null, value, 0, {}]);

/** Runs source → refine → collectors to completion; returns what each stream got and the spout's ledger. */
async function run(t: Parameters<typeof startRuntime>[0], values: string[], { threads = 0, ...options }: RefineBoltOptions & { threads?: number }) {
  const got: Record<string, unknown[][]> = { default: [], errors: [], sequence: [], pageviews: [] };
  const ledger = newLedger();
  const collect = (stream: string) => () => new FnBolt((tuple) => void got[stream]!.push([...tuple.values]));
  const definition = topology('refine-test', { maxSpoutPending: 50, eventTimeReference: 'stream' })
    .spout('source', { create: () => new ListSpout(rowsOf(values), ledger, { maxReplays: 3 }), outputs: SOURCE })
    .bolt('refine', {
      threads,
      create: () => new RefineBolt({ batchSize: 4, ...options }),
      inputs: [{ from: 'source', grouping: shuffle() }],
      outputs: { default: RECORD_FIELDS, errors: ERROR_FIELDS, sequence: SEQUENCE_FIELDS, pageviews: PAGEVIEW_FIELDS },
    })
    .bolt('records', { create: collect('default'), inputs: [{ from: 'refine', grouping: shuffle() }] })
    .bolt('errors', { create: collect('errors'), inputs: [{ from: 'refine', stream: 'errors', grouping: shuffle() }] })
    .bolt('sequence', { create: collect('sequence'), inputs: [{ from: 'refine', stream: 'sequence', grouping: shuffle() }] })
    .bolt('pageviews', { create: collect('pageviews'), inputs: [{ from: 'refine', stream: 'pageviews', grouping: shuffle() }] })
    .build();
  const runtime = await startRuntime(t, definition);
  await runtime.completion;
  /** Batches refined in the threads and on the main thread. */
  const batches = { thread: 0, main: 0 };
  for (const where of ['thread', 'main'] as const) batches[where] = metricValue(runtime.metrics, 'squall_webrequest_refine_batches_total', { where });
  await runtime.stop();
  return { got, ledger, batches };
}

const INPUT = [line(1), line(2, { user_agent: 'Googlebot/2.1 (+http://www.google.com/bot.html)' }), `{"hostname":"cp1","ip":"${IP}",`, line(3, { dt: '-' }), line(4, { ip: '2001:db8::9' }), line(5)];

for (const threads of [0, 1]) {
  test(`refine (threads: ${threads}): records in input order, sequence and pageview streams; a malformed line goes to errors, redacted; all acked once`, async (t) => {
    const { got, ledger } = await run(t, INPUT, { threads });
    assert.deepEqual(got.default!.map((r) => r[3]), [0, 1, 4, 5], 'source coordinates ride along, in input order');
    const first = got.default![0]!;
    assert.deepEqual([first[1], first[2], first[3]], ['webrequest_text', 0, 0]);
    const record = first[0] as Record<string, unknown>;
    assert.equal(record.webrequest_source, 'text');
    assert.equal(record.is_pageview, true);
    assert.match(record.client_ip as string, /^[0-9a-f]{64}$/);
    assert.equal('ip' in record || 'x_forwarded_for' in record, false);
    assert.deepEqual((record.geocoded_data as { country_code: string }).country_code.length, 2);
    assert.equal(JSON.stringify(got.default).includes(IP), false, 'no raw IP in any record');
    const sequences = got.sequence!.flatMap((s) => (s[1] as number[]).map((n, i) => [s[0], n, (s[2] as (number | null)[])[i]]));
    assert.deepEqual(sequences.map((s) => s[1]), [1, 2, 3, 4, 5], 'every refined record feeds the sequence check, in input order');
    assert.ok(sequences.every((s) => s[0] === 'cp1001.eqiad.wmnet'));
    assert.equal(sequences.find((s) => s[1] === 3)![2], null, 'a record without dt has no time');
    assert.equal(sequences.find((s) => s[1] === 1)![2], Date.UTC(2026, 10, 22, 10, 15));
    assert.deepEqual(got.pageviews!.map((p) => [p[0], p[1]]), [['en', 'Main_Page'], ['en', 'Main_Page'], ['en', 'Main_Page']], 'user pageviews with a time');
    assert.equal(got.errors!.length, 2);
    const [value, reason, origin] = got.errors![0] as [string, string, string];
    assert.equal(origin, 'webrequest_text/0@2');
    assert.equal(reason, 'malformed JSON');
    assert.deepEqual(got.errors![1]!.slice(1), ["field dt: '-' gives the record no time, and a refined record is written under the hour of its dt", 'webrequest_text/0@3'], 'named by the field the user gave');
    assert.ok(!value.includes(IP), 'the error value is redacted');
    assert.deepEqual([...ledger.acked].sort(), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(ledger.failed, []);
  });
}

test('refine hashes an IP alike on the main thread and in a thread (one salt per period, from the store)', async (t) => {
  const store = new MemorySaltStore();
  const inline = await run(t, [line(1), line(2)], { threads: 0, saltStore: store });
  const pooled = await run(t, [line(1), line(2)], { threads: 1, saltStore: store });
  const hashes = (r: typeof inline) => r.got.default!.map((v) => (v[0] as { client_ip: string }).client_ip);
  assert.deepEqual(hashes(pooled), hashes(inline));
  assert.equal(store.size, 1);
});

test('a line whose salt cannot be had is failed with the reason, and refined once the store recovers', async (t) => {
  const memory = new MemorySaltStore();
  let down = true;
  const flaky: SaltStore = {
    saltFor: (period) => (down ? Promise.reject(new Error('Redis is down')) : memory.saltFor(period)),
    cachedSalt: (period) => memory.cachedSalt(period),
    close: () => Promise.resolve(),
  };
  const { got, ledger } = await run(t, [line(1), line(2)], {
    threads: 1,
    saltStore: {
      ...flaky,
      saltFor: (period) => {
        const result = flaky.saltFor(period);
        down = false;
        return result;
      },
    },
  });
  assert.deepEqual(ledger.failed.map((f) => [f.msgId, f.reason.message]).sort(), [
    [0, 'the salt of period 2026-11-22T00:00:00.000Z is unavailable: Redis is down'],
    [1, 'the salt of period 2026-11-22T00:00:00.000Z is unavailable: Redis is down'],
  ]);
  assert.deepEqual(got.default!.map((r) => r[3]).sort(), [0, 1], 'each record once, after its replay');
  assert.deepEqual([...ledger.acked].sort(), [0, 1]);
});

test('a salt store that cannot be reached is waited out: its lines stay pending, none is failed', async (t) => {
  const memory = new MemorySaltStore();
  let refusals = 2;
  const unreachable: SaltStore = {
    saltFor: (period) =>
      refusals-- > 0 ? Promise.reject(new SquallError(SALT_UNAVAILABLE, 'the salt store is unreachable', { retriable: true })) : memory.saltFor(period),
    cachedSalt: (period) => memory.cachedSalt(period),
    close: () => Promise.resolve(),
  };
  const { got, ledger } = await run(t, [line(1), line(2)], { threads: 0, saltStore: unreachable });
  assert.equal(refusals, -1, 'asked again until the store answered');
  assert.deepEqual(ledger.failed, []);
  assert.deepEqual(got.default!.map((r) => r[3]).sort(), [0, 1]);
});

test('a batch whose thread dies is failed and replayed: every line is refined or reported exactly once', async (t) => {
  const marker = crashMarker();
  writeFileSync(marker, '');
  t.after(() => rmSync(marker, { force: true }));
  const values = [line(1), line(2, { uri_path: '/wiki/crash-once' }), '{broken', line(4), line(5), line(6)];
  const { got, ledger } = await run(t, values, { threads: 1, threadModule: new URL('./fixtures/crash-once-refine-thread.ts', import.meta.url) });
  assert.ok(ledger.failed.length >= 1, 'the dead thread failed its batch');
  assert.ok(ledger.failed.every((f) => /thread pool 'bolt threads' failed/.test(f.reason.message)), JSON.stringify(ledger.failed.map((f) => f.reason.message)));
  assert.ok(ledger.failed.some((f) => f.msgId === 1), 'the crashing line was in the failed batch');
  assert.deepEqual(got.default!.map((r) => r[3]).sort(), [0, 1, 3, 4, 5], 'each good line refined exactly once');
  assert.deepEqual(got.errors!.map((e) => e[2]), ['webrequest_text/0@2'], 'the bad line reported once');
  assert.deepEqual([...ledger.acked].sort(), [0, 1, 2, 3, 4, 5]);
});

/** A source tuple outside an engine, for driving the bolt directly. */
function sourceTuple(offset: number, value: string): Tuple {
  const fields = SOURCE.default;
  const values = ['webrequest_text', 0, offset, null, value, 0, {}];
  return { values, fields, sourceComponent: 'source', sourceStream: 'default', sourceTask: 1, get: <T>(f: string) => values[fields.indexOf(f as never)] as T, isTick: () => false };
}

/** A task context for driving a RefineBolt directly. */
function refineContext(pool?: ThreadPool<unknown, unknown>): TopologyContext {
  const threads: TaskThreads | undefined = pool && { threads: pool.threads, pending: 0, run: (module, task) => pool.runIn(module, task) };
  return {
    ...(threads === undefined ? {} : { threads }),
    topologyName: 'test', componentId: 'refine', taskId: 1, taskIndex: 0, componentTasks: [1], config: { eventTimeReference: 'stream' }, logger: nullLogger,
    metrics: new MetricRegistry().group({ topology: 'test', component: 'refine', task: '1' }), tasksOf: () => [1], outputFields: () => [],
  } as TopologyContext;
}

test('one sequence tuple per host and batch, in input order, anchored to its lines, which are acked only after it', async () => {
  type Emitted = ['emit', string, unknown[], readonly Tuple[]];
  const events: (Emitted | ['ack', Tuple])[] = [];
  const collector: OutputCollector = {
    emit: (values, anchors) => void events.push(['emit', 'default', values, anchors as Tuple[]]),
    emitTo: (stream, values, anchors) => void events.push(['emit', stream, values, (Array.isArray(anchors) ? anchors : [anchors]) as Tuple[]]),
    emitDirect: () => assert.fail('no direct emits'),
    ack: (tuple) => void events.push(['ack', tuple]),
    fail: (_tuple, reason) => assert.fail(`nothing fails: ${String(reason)}`),
    reportError: (error) => assert.fail(String(error)),
  };
  const context = refineContext();
  const bolt = new RefineBolt({ batchSize: 5, saltStore: new MemorySaltStore() });
  await bolt.prepare(context, collector);
  const a = 'cp1001.eqiad.wmnet';
  const b = 'cp3050.esams.wmnet';
  const hosts = [a, b, a, a, b];
  const tuples = hosts.map((hostname, i) => sourceTuple(i, line(10 + i, { hostname, ...(i === 3 ? { dt: '-' } : {}) })));
  for (const tuple of tuples) await bolt.execute(tuple);
  await bolt.flush();
  await bolt.cleanup();
  const sequence = events.filter((e): e is Emitted => e[0] === 'emit' && e[1] === 'sequence');
  const time = Date.UTC(2026, 10, 22, 10, 15);
  const src = 'webrequest_text/0';
  assert.deepEqual(sequence.map((e) => e[2]), [
    [a, [10, 12, 13], [time, time, null], [src, src, src], [0, 2, 3]],
    [b, [11, 14], [time, time], [src, src], [1, 4]],
  ], 'host, sequence numbers, times, and each record’s source position');
  assert.deepEqual(sequence.map((e) => e[3]), [[tuples[0], tuples[2], tuples[3]], [tuples[1], tuples[4]]]);
  const acks = events.map((e, i) => [e, i] as const).filter(([e]) => e[0] === 'ack');
  assert.deepEqual(acks.map(([e]) => e[1] as Tuple).sort((x, y) => (x.values[2] as number) - (y.values[2] as number)), tuples, 'each line acked once');
  const lastSequenceEmit = events.lastIndexOf(sequence.at(-1)!);
  assert.ok(acks.every(([, i]) => i > lastSequenceEmit), 'no line is acked before the sequence tuple anchored to it is emitted');
});

test('a malformed line whose host and sequence can be read feeds the sequence check too, and is acked after it', async () => {
  const events: [string, unknown][] = [];
  const collector: OutputCollector = {
    emit: () => {},
    emitTo: (stream, values) => void events.push([stream, values]),
    emitDirect: () => assert.fail('no direct emits'),
    ack: (tuple) => void events.push(['ack', tuple.values[2]]),
    fail: (_tuple, reason) => assert.fail(`nothing fails: ${String(reason)}`),
    reportError: (error) => assert.fail(String(error)),
  };
  const context = refineContext();
  const bolt = new RefineBolt({ batchSize: 4, saltStore: new MemorySaltStore() });
  await bolt.prepare(context, collector);
  const truncated = line(21).slice(0, line(21).indexOf('"dt"') + 12);
  const inputs = [line(20), truncated, line(22, { dt: 'yesterday' }), '\u0000 not json'];
  for (const [i, text] of inputs.entries()) await bolt.execute(sourceTuple(i, text));
  await bolt.flush();
  await bolt.cleanup();
  const sequence = events.filter(([stream]) => stream === 'sequence').map(([, v]) => v);
  const src = 'webrequest_text/0';
  assert.deepEqual(sequence, [['cp1001.eqiad.wmnet', [20, 21, 22], [Date.UTC(2026, 10, 22, 10, 15), null, null], [src, src, src], [0, 1, 2]]], 'the truncated line and the bad dt count as delivered, without a time');
  assert.equal(events.filter(([stream]) => stream === 'errors').length, 3);
  const sequenceAt = events.findIndex(([stream]) => stream === 'sequence');
  assert.deepEqual(events.filter(([e]) => e === 'ack').map(([, offset]) => offset).sort(), [0, 1, 2, 3], 'each line acked once');
  for (const offset of [0, 1, 2]) assert.ok(events.findIndex(([e, o]) => e === 'ack' && o === offset) > sequenceAt, `line ${offset} is acked after the sequence tuple`);
});

test('options are validated with a way to fix them', () => {
  assert.throws(() => compileRefineBoltOptions({ batchSize: 0 }), { code: 'SQUALL_ERR_INVALID_CONFIG', message: /batchSize is 0: use a whole number of lines/ });
  assert.throws(() => compileRefineBoltOptions({ maxBatchesInFlight: 0 }), { message: /maxBatchesInFlight is 0/ });
  assert.deepEqual([compileRefineBoltOptions({}, 2).maxBatchesInFlight, compileRefineBoltOptions().batchSize], [12, 256], 'in flight: 4 × (the component\'s threads + 1)');
});

for (const threads of [0, 1]) {
  test(`refine with encode (threads: ${threads}): each record leaves as the bytes of the sink's format, equal to the record refined as an object`, async (t) => {
    const store = new MemorySaltStore();
    const asObjects = await run(t, INPUT, { threads, saltStore: store });
    const avro = new AvroContainerFormat({ schema: webrequestRefinedAvroType });
    const ndjson = new NdjsonFormat();
    for (const format of [ndjson, avro]) {
      const { got, ledger, batches } = await run(t, INPUT, { threads, saltStore: store, encode: format.encoding });
      if (threads === 0) assert.deepEqual(batches, { thread: 0, main: 2 }, 'both batches refined on the main thread');
      else assert.ok(batches.thread >= 1, `the pool refined at least one batch: ${JSON.stringify(batches)}`);
      assert.deepEqual(got.default!.map((r) => r[3]), [0, 1, 4, 5], `${format.name}: the same lines, in input order, with their coordinates`);
      const encoded = got.default!.map((r) => r[0] as EncodedRecord);
      assert.ok(encoded.every((e) => e instanceof EncodedRecord && e.encoding === encodingKey(format.encoding!)));
      const decoded = encoded.map((e) => {
        const bytes = e.data.subarray(e.start, e.end);
        if (format === avro) return avro.type.fromBuffer(bytes) as unknown;
        assert.equal(bytes.at(-1), 0x0a, 'an NDJSON line ends with its newline');
        return JSON.parse(bytes.toString('utf8')) as unknown;
      });
      // Avro reads the record's nullable fields back as they were written; compare as JSON.
      assert.deepEqual(JSON.parse(JSON.stringify(decoded)), JSON.parse(JSON.stringify(asObjects.got.default!.map((r) => r[0]))), `${format.name}: the bytes hold the refined records`);
      assert.deepEqual(encoded.map((e) => e.eventTime), [Date.UTC(2026, 10, 22, 10, 15), Date.UTC(2026, 10, 22, 10, 15), Date.UTC(2026, 10, 22, 10, 15), Date.UTC(2026, 10, 22, 10, 15)], 'each record carries its event time');
      assert.deepEqual(got.pageviews, asObjects.got.pageviews);
      assert.deepEqual(got.sequence, asObjects.got.sequence);
      assert.deepEqual(got.errors, asObjects.got.errors);
      assert.deepEqual([...ledger.acked].sort(), [0, 1, 2, 3, 4, 5]);
    }
  });
}

for (const threads of [0, 1]) {
  for (const encode of [undefined, new NdjsonFormat().encoding]) {
    test(`a batch with one period's salt at hand and another's unavailable (threads: ${threads}, ${encode === undefined ? 'objects' : 'encoded'}): the first period's lines are refined, the other's failed with the reason`, async () => {
      const memory = new MemorySaltStore();
      const store: SaltStore = {
        cachedSalt: (period) => memory.cachedSalt(period),
        saltFor: (period) => (period.startsWith('2026-11-23') ? Promise.reject(new Error('Redis is down')) : memory.saltFor(period)),
        close: () => Promise.resolve(),
      };
      const emitted: unknown[][] = [];
      const acked: number[] = [];
      const failed: [number, string][] = [];
      const collector: OutputCollector = {
        emit: (values) => void emitted.push(values),
        emitTo: () => {},
        emitDirect: () => assert.fail('no direct emits'),
        ack: (tuple) => void acked.push(tuple.values[2] as number),
        fail: (tuple, reason) => void failed.push([tuple.values[2] as number, String(reason)]),
        reportError: (error) => assert.fail(String(error)),
      };
      const bolt = new RefineBolt({ batchSize: 4, saltStore: store, ...(encode === undefined ? {} : { encode }) });
      const pool = threads === 0 ? undefined : new ThreadPool<unknown, unknown>({ threads, name: 'test' });
      after(() => pool?.close());
      await bolt.prepare(refineContext(pool), collector);
      const days = ['2026-11-22T10:00:00Z', '2026-11-23T10:00:00Z', '2026-11-22T11:00:00Z', '2026-11-23T11:00:00Z'];
      for (const [i, dt] of days.entries()) await bolt.execute(sourceTuple(i, line(i + 1, { dt })));
      await bolt.flush();
      await bolt.cleanup();
      assert.deepEqual(emitted.map((e) => e[3]), [0, 2]);
      const sequences = emitted.map((e) => (encode === undefined ? (e[0] as { sequence: number }) : (JSON.parse(String(e[0])) as { sequence: number })).sequence);
      assert.deepEqual(sequences, [1, 3]);
      assert.deepEqual(acked.sort(), [0, 2]);
      assert.deepEqual(failed, [
        [1, 'the salt of period 2026-11-23T00:00:00.000Z is unavailable: Redis is down'],
        [3, 'the salt of period 2026-11-23T00:00:00.000Z is unavailable: Redis is down'],
      ]);
    });
  }
}
