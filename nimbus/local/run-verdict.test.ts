import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ComponentStats, ErrorCodes, type RuntimeStats } from '../../core/index.js';
import { runVerdict } from './run-verdict.js';

function stats(spout: Partial<ComponentStats>): RuntimeStats {
  const base = { emitted: 0, executed: 0, acked: 0, failed: 0, pending: 0, queued: 0 };
  return { pending: 0, components: { source: { kind: 'spout', ...base, ...spout }, sink: { kind: 'bolt', ...base, acked: 10 } } };
}

test('every record written, with tuples failed and replayed on the way: the headline says so, not "every tuple acked"; exit 0', () => {
  const v = runVerdict(stats({ acked: 10, failed: 7, givenUp: 0, unwritten: 0 }), { reason: 'input exhausted', completed: true, forced: false });
  assert.equal(v.headline, 'input exhausted, every record written (7 tuple trees failed on the way and were replayed)');
  assert.equal(runVerdict(stats({ acked: 10, givenUp: 0, unwritten: 0 }), { reason: 'input exhausted', completed: true, forced: false }).headline, 'input exhausted, every tuple acked');
  assert.equal(v.records, 'records not written anywhere: 0; given up to errors after their retries: 0');
  assert.equal(v.exitCode, 0);
});

test('records given up change the headline and the exit code', () => {
  const v = runVerdict(stats({ acked: 10, givenUp: 3, unwritten: 0 }), { reason: 'input exhausted', completed: true, forced: false });
  assert.equal(v.headline, 'input exhausted; 3 records were given up after their retries and are in the errors output with the reason');
  assert.equal(v.exitCode, 1);
});

test('a run stopped by a full disk counts what is not written and says to re-run the same command when the disk has room', () => {
  const failure = { component: 'refined', task: 3, message: 'the storage is full', code: ErrorCodes.STORAGE_FULL, time: 0, fatal: true };
  const v = runVerdict(stats({ acked: 18_000, unwritten: 2_000, givenUp: 0 }), { reason: "'refined' task 3 cannot go on", completed: false, failure, forced: false });
  assert.equal(
    v.headline,
    "'refined' task 3 cannot go on; 2,000 records read are not written anywhere yet: re-run the same command when the disk has room (committed output is kept, and nothing will be duplicated)",
  );
  assert.equal(v.records, 'records not written anywhere: 2,000; given up to errors after their retries: 0');
  assert.equal(v.exitCode, 1);
});

test('records left unwritten fail a run that stopped at its duration; spouts that do not count keep the old summary', () => {
  assert.equal(runVerdict(stats({ unwritten: 5, givenUp: 0 }), { reason: 'duration of 5 s reached', completed: false, forced: false }).exitCode, 1);
  const v = runVerdict(stats({}), { reason: 'duration of 5 s reached', completed: false, forced: false });
  assert.deepEqual(v, { headline: 'duration of 5 s reached', records: undefined, exitCode: 0 });
});

test('blank lines a spout skipped are counted in the summary, not left to vanish', () => {
  const v = runVerdict(stats({ acked: 10, givenUp: 0, unwritten: 0, blank: 2 }), { reason: 'input exhausted', completed: true, forced: false });
  assert.equal(v.records, 'records not written anywhere: 0; given up to errors after their retries: 0; blank lines skipped (no record in them): 2');
  assert.equal(v.exitCode, 0);
});
