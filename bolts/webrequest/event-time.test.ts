import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hourPartsOf, parseDt } from './event-time.js';

test('parseDt reads ISO-8601 UTC', () => {
  assert.equal(parseDt('2026-11-22T10:00:00Z'), Date.UTC(2026, 10, 22, 10));
  assert.equal(parseDt('2026-11-22T10:00:00'), Date.UTC(2026, 10, 22, 10));
  assert.equal(parseDt('2026-11-22T10:00:00.250Z'), Date.UTC(2026, 10, 22, 10, 0, 0, 250));
  assert.equal(parseDt('2026-11-22T10:00:00.25Z'), Date.UTC(2026, 10, 22, 10, 0, 0, 250));
});

test('parseDt rejects impossible and foreign formats', () => {
  for (const dt of ['-', '', '2026-11-31T00:00:00Z', '2026-11-22T10:60:00Z', '2026-11-22T10:00:61Z', '0050-01-01T00:00:00Z', '2026-11-22T10:00:00+02:00', ' 2026-11-22T10:00:00Z']) {
    assert.ok(Number.isNaN(parseDt(dt)), dt);
  }
});

test('parseDt memo does not leak between different inputs', () => {
  assert.equal(parseDt('2026-01-01T00:00:00Z'), Date.UTC(2026, 0, 1));
  assert.ok(Number.isNaN(parseDt('bad')));
  assert.equal(parseDt('2026-01-01T00:00:00Z'), Date.UTC(2026, 0, 1));
});

test('hourPartsOf gives UTC calendar parts', () => {
  assert.deepEqual({ ...hourPartsOf(Date.UTC(2026, 10, 22, 23, 59, 59)) }, { year: 2026, month: 11, day: 22, hour: 23 });
  assert.deepEqual({ ...hourPartsOf(Date.UTC(2027, 0, 1, 0, 0, 0)) }, { year: 2027, month: 1, day: 1, hour: 0 });
});
