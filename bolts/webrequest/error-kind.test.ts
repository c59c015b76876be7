import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorKindOf } from './error-kind.js';

test('error kinds do not vary with the record: a field, a known reason, or the words before the colon with digits masked', () => {
  assert.equal(errorKindOf('field dt: expected ISO-8601 UTC such as 2026-11-22T10:00:00Z, or -'), 'field dt');
  assert.equal(errorKindOf('malformed JSON'), 'malformed JSON');
  assert.equal(errorKindOf('late pageview for hour 2026-11-22T10:00:00.000Z: it arrived after the hour closed'), 'late pageview');
  assert.equal(errorKindOf("error in 'refine' after 3 attempts: boom"), 'given up after retries');
  assert.equal(errorKindOf('event time 2030-01-01T00:00:00.000Z is more than eventTimeMaxAheadMs=600000 (10 min) ahead of the wall clock'), 'event time too far ahead');
  assert.equal(errorKindOf('file cut short at byte 1234: unexpected end'), 'file cut short at byte N');
  assert.equal(errorKindOf(''), 'other');
});
