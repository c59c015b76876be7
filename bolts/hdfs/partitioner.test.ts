import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventTimeOf, parseIsoTime, parseIsoTimeByPattern } from './event-time.js';
import { HourlyPartitioner, hourPartition } from './partitioner.js';

describe('HourlyPartitioner', () => {
  const p = new HourlyPartitioner({ timeField: 'dt' });
  const pathOf = (dt: unknown) => {
    const r = p.place({ dt });
    assert.ok('partition' in r, `expected a partition for ${String(dt)}: ${'error' in r ? r.error : ''}`);
    return r.partition.path;
  };

  it('puts 23:59:59.999 UTC in hour 23 and midnight in the next day', () => {
    assert.equal(pathOf('2024-12-31T23:59:59.999Z'), 'year=2024/month=12/day=31/hour=23');
    assert.equal(pathOf('2025-01-01T00:00:00Z'), 'year=2025/month=01/day=01/hour=00');
    assert.equal(pathOf(Date.UTC(2024, 11, 31, 23, 59, 59, 999)), 'year=2024/month=12/day=31/hour=23');
    assert.equal(pathOf(Date.UTC(2025, 0, 1)), 'year=2025/month=01/day=01/hour=00');
  });

  it('reads times without a zone as UTC and applies offsets', () => {
    assert.equal(pathOf('2024-03-10T23:59:59'), 'year=2024/month=03/day=10/hour=23');
    assert.equal(pathOf('2024-03-10 23:30:00'), 'year=2024/month=03/day=10/hour=23');
    // 01:30 at +02:00 is 23:30 UTC the day before.
    assert.equal(pathOf('2024-03-11T01:30:00+02:00'), 'year=2024/month=03/day=10/hour=23');
    assert.equal(pathOf('2024-03-10T20:30:00.123456-0300'), 'year=2024/month=03/day=10/hour=23');
  });

  it('handles leap days and nested fields', () => {
    assert.equal(pathOf('2024-02-29T12:00:00Z'), 'year=2024/month=02/day=29/hour=12');
    const nested = new HourlyPartitioner({ timeField: 'meta.dt' }).place({ meta: { dt: '2024-05-01T07:00:00Z' } });
    assert.ok('partition' in nested);
    assert.equal(nested.partition.path, 'year=2024/month=05/day=01/hour=07');
  });

  it('gives a reason for every time it cannot read', () => {
    const cases: [unknown, RegExp][] = [
      [undefined, /'dt' is missing/],
      [null, /'dt' is missing/],
      ['-', /"-": not an ISO 8601 time/],
      ['yesterday', /not an ISO 8601 time/],
      ['2023-02-29T00:00:00Z', /not an ISO 8601 time/],
      ['2024-01-01T24:00:00Z', /not an ISO 8601 time/],
      [1.5, /not an ISO 8601 time or whole epoch milliseconds/],
      [Number.NaN, /not an ISO 8601/],
      [-1, /outside 1970\.\.9999/],
      [{}, /not an ISO 8601/],
    ];
    for (const [value, reason] of cases) {
      const r = p.place({ dt: value });
      assert.ok('error' in r, `expected an error for ${String(value)}`);
      assert.match(r.error, reason);
    }
    assert.match((p.place('not a record') as { error: string }).error, /missing/);
  });

  it('parses its own paths back, and nothing else', () => {
    const part = hourPartition(Date.UTC(2024, 0, 31, 23, 10));
    assert.deepEqual(p.parse(part.path), part);
    assert.equal(part.end - part.start, 3_600_000);
    assert.deepEqual(part.values, { year: 2024, month: 1, day: 31, hour: 23 });
    assert.equal(p.parse('year=2024/month=13/day=01/hour=00'), undefined);
    assert.equal(p.parse('year=2024/month=01/day=01'), undefined);
    assert.equal(p.parse('_hive'), undefined);
  });
});

describe('eventTimeOf', () => {
  it('accepts epoch millis, ISO strings and Dates', () => {
    assert.deepEqual(eventTimeOf(0, 'dt'), { time: 0 });
    assert.deepEqual(eventTimeOf(new Date(5000), 'dt'), { time: 5000 });
    assert.equal(parseIsoTime('2024-01-01T00:00:00.5Z'), Date.UTC(2024, 0, 1, 0, 0, 0, 500));
  });
});

describe('parseIsoTime, canonical form', () => {
  const canonical = (ms: number, withMs: boolean) => {
    const iso = new Date(ms).toISOString();
    return withMs ? iso : `${iso.slice(0, 19)}Z`;
  };

  it('reads YYYY-MM-DDTHH:MM:SS[.mmm]Z as the pattern does, hour after hour', () => {
    // Month ends, a leap day, a year end, and times spread through hours in and out of order.
    const starts = [Date.UTC(2024, 1, 28, 23), Date.UTC(2024, 1, 29, 0), Date.UTC(2023, 11, 31, 23), Date.UTC(2026, 10, 22, 10), Date.UTC(1970, 0, 1, 0)];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 5000; i++) {
      const ms = starts[next() % starts.length]! + (next() % (2 * 3_600_000));
      for (const withMs of [false, true]) {
        const text = canonical(ms, withMs);
        assert.equal(parseIsoTime(text), parseIsoTimeByPattern(text), text);
        assert.equal(parseIsoTime(text), withMs ? ms : ms - (ms % 1000), text);
      }
    }
  });

  it('leaves every other text to the pattern, so both give the same answer', () => {
    // Warm the shortcut's hour first, so a text sharing that hour's prefix is tested against it.
    assert.equal(parseIsoTime('2024-02-29T10:00:00Z'), Date.UTC(2024, 1, 29, 10));
    const texts = [
      '2024-02-29T10:60:00Z', // minute 60
      '2024-02-29T10:59:60Z', // leap second
      '2024-02-29T10:5a:00Z',
      '2024-02-29T10:00:0aZ',
      '2024-02-29T10:00:00.5Z',
      '2024-02-29T10:00:00.12Z',
      '2024-02-29T10:00:00.1234Z',
      '2024-02-29T10:00:00.12aZ',
      '2024-02-29T10:00:00,123Z',
      '2024-02-29T10:00:00z',
      '2024-02-29t10:00:00Z',
      '2024-02-29 10:00:00Z',
      '2024-02-29T10:00:00',
      '2024-02-29T10:00:00+01:00',
      '2024-02-29T10-00:00Z',
      ' 2024-02-29T10:00:00Z',
      '   2024-02-29T10:30Z', // 20 characters with the spaces; the pattern trims them
      '\t\t\t2024-02-29T10:30Z',
      '   2024-02-29T10:30.123Z',
      '2024-02-30T10:00:00Z', // no such day
      '2023-02-29T10:00:00Z',
      '2024-02-29T24:00:00Z', // no such hour
      '2024-13-01T00:00:00Z',
      '2024-02-29T1:00:00.000Z',
      '2024-02-29T10:00:00.000X',
      'xxxx-xx-xxTxx:xx:xxZ',
    ];
    for (const text of texts) assert.equal(parseIsoTime(text), parseIsoTimeByPattern(text), text);
    assert.equal(parseIsoTime('2024-02-29T10:59:60Z'), undefined);
    assert.equal(parseIsoTime('2024-02-30T10:00:00Z'), undefined);
    assert.equal(parseIsoTime('2024-02-29T10:00:00.5Z'), Date.UTC(2024, 1, 29, 10, 0, 0, 500));
  });
});
