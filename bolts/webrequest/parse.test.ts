import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWebrequestLine, sequenceFactsOf } from './parse.js';
import { inputRecord } from './test-fixtures.js';

const RAW_IP = '203.0.113.77';
const line = (overrides: Record<string, unknown> = {}, drop: string[] = []): string => {
  const obj: Record<string, unknown> = { ...inputRecord({ ip: RAW_IP, x_forwarded_for: `${RAW_IP}, 10.0.0.1` }), ...overrides };
  for (const k of drop) delete obj[k];
  return JSON.stringify(obj);
};

const reasonOf = (input: string | Buffer): string => {
  const r = parseWebrequestLine(input);
  assert.equal(r.ok, false);
  return (r as { reason: string }).reason;
};

test('a valid line parses to the input record, from a string or a Buffer', () => {
  const expected = inputRecord({ ip: RAW_IP, x_forwarded_for: `${RAW_IP}, 10.0.0.1` });
  assert.deepEqual(parseWebrequestLine(line()), { ok: true, record: expected });
  assert.deepEqual(parseWebrequestLine(Buffer.from(line())), { ok: true, record: expected });
});

test('strings are trimmed; absent, null and empty become -', () => {
  const r = parseWebrequestLine(line({ uri_host: '  en.wikipedia.org  ', referer: null, accept: '', hostname: ' cp1 ' }, ['range']));
  assert.ok(r.ok);
  assert.equal(r.record.uri_host, 'en.wikipedia.org');
  assert.equal(r.record.hostname, 'cp1');
  assert.equal(r.record.referer, '-');
  assert.equal(r.record.accept, '-');
  assert.equal(r.record.range, '-');
});

test('numbers: numeric strings accepted, - and absent are null', () => {
  const r = parseWebrequestLine(line({ time_firstbyte: '0.5', response_size: '-' }));
  assert.ok(r.ok);
  assert.equal(r.record.time_firstbyte, 0.5);
  assert.equal(r.record.response_size, null);
  const r2 = parseWebrequestLine(line({}, ['time_firstbyte', 'response_size']));
  assert.ok(r2.ok);
  assert.equal(r2.record.time_firstbyte, null);
});

test('dt: - is accepted, fractional seconds and a missing Z too', () => {
  for (const dt of ['-', '2026-11-22T10:00:00', '2026-11-22T10:00:00.123Z', '2024-02-29T23:59:59Z']) {
    assert.equal(parseWebrequestLine(line({ dt })).ok, true, dt);
  }
});

test('malformed lines get clear reasons', () => {
  assert.equal(reasonOf('{"hostname": "cp1", "seq'), 'malformed JSON');
  assert.equal(reasonOf(''), 'malformed JSON');
  assert.equal(reasonOf(Buffer.from([0xff, 0xfe, 0x00])), 'malformed JSON');
  assert.equal(reasonOf('[1,2]'), 'not a JSON object');
  assert.equal(reasonOf('null'), 'not a JSON object');
  assert.equal(reasonOf('"x"'), 'not a JSON object');
  assert.match(reasonOf(line({}, ['hostname'])), /^field hostname/);
  assert.match(reasonOf(line({ hostname: '-' })), /^field hostname/);
  assert.match(reasonOf(line({}, ['sequence'])), /^field sequence/);
  assert.match(reasonOf(line({ sequence: '12' })), /^field sequence/);
  assert.match(reasonOf(line({ sequence: -1 })), /^field sequence/);
  assert.match(reasonOf(line({ sequence: 1.5 })), /^field sequence/);
  assert.match(reasonOf(line({}, ['dt'])), /^field dt/);
  for (const dt of ['yesterday', '2026-13-01T00:00:00Z', '2026-02-30T00:00:00Z', '2026-11-22T24:00:00Z', '2026-11-22 10:00:00', '1700000000']) {
    assert.match(reasonOf(line({ dt })), /^field dt/, dt);
  }
  assert.match(reasonOf(line({}, ['http_status'])), /^field http_status/);
  assert.match(reasonOf(line({ http_status: 200 })), /^field http_status/);
  assert.match(reasonOf(line({ http_status: '20' })), /^field http_status/);
  assert.match(reasonOf(line({ http_status: '-' })), /^field http_status/);
  assert.match(reasonOf(line({ response_size: 'big' })), /^field response_size/);
  assert.match(reasonOf(line({ time_firstbyte: {} })), /^field time_firstbyte/);
  assert.equal(reasonOf(line({ uri_path: { a: 1 } })), 'field uri_path: expected a string');
  assert.equal(reasonOf(line({ ip: [RAW_IP] })), 'field ip: expected a string');
});

test('reasons never hold the raw IP or the line', () => {
  const bad = [
    line({ ip: { raw: RAW_IP } }),
    line({ x_forwarded_for: [RAW_IP] }),
    line({ hostname: RAW_IP + ' ' }, ['sequence']),
    line({ dt: RAW_IP }),
    line({ http_status: RAW_IP }),
    line().slice(0, 200),
    `{"ip":"${RAW_IP}"}`,
  ];
  for (const l of bad) {
    const reason = reasonOf(l);
    assert.ok(!reason.includes(RAW_IP), reason);
    assert.ok(!reason.includes('203.0'), reason);
    assert.ok(reason.length < 120, reason);
  }
});

test('a malformed line still gives its host, sequence number and time when its text holds them', () => {
  const whole = JSON.stringify({ hostname: 'cp3050.esams.wmnet', sequence: 1234567, dt: '2026-11-22T10:15:00Z', ip: '203.0.113.9', http_status: 200 });
  assert.deepEqual(sequenceFactsOf(whole), { hostname: 'cp3050.esams.wmnet', sequence: 1234567, ts: Date.UTC(2026, 10, 22, 10, 15) });
  assert.deepEqual(sequenceFactsOf(whole.slice(0, 52)), { hostname: 'cp3050.esams.wmnet', sequence: 1234567, ts: null }, 'truncated before its dt');
  assert.equal(sequenceFactsOf('{"hostname":"cp3050.esams.wmnet","sequen'), undefined, 'no complete sequence number');
  assert.equal(sequenceFactsOf('{"hostname":"cp3050.esams.wmnet","sequence":12'), undefined, 'a number cut short could be any number');
  assert.deepEqual(sequenceFactsOf('{"hostname":"cp1","sequence":7,"dt":"yesterday"}'), { hostname: 'cp1', sequence: 7, ts: null });
  assert.equal(sequenceFactsOf('{"hostname":"-","sequence":7}'), undefined);
  assert.equal(sequenceFactsOf('\u0000\u0001 not json at all'), undefined);
  assert.equal(sequenceFactsOf('{"hostname":"cp1","sequence":1.5}'), undefined);
  assert.deepEqual(sequenceFactsOf('{"hostname":"cp1","sequence":1795341600000042,"dt":"-"'), { hostname: 'cp1', sequence: 1_795_341_600_000_042, ts: null }, 'a counter started at the Unix time × 10⁶');
  assert.equal(sequenceFactsOf('{"hostname":"cp1","sequence":9007199254740993}'), undefined, 'beyond a safe integer');
});
