import assert from 'node:assert/strict';
import { test } from 'node:test';
import webrequest, { defaultRefineThreads } from './webrequest.js';

test('refine threads default to the cores but one', () => {
  assert.deepEqual([1, 2, 3, 8].map((cores) => defaultRefineThreads(cores)), [0, 1, 2, 7]);
});

test('the topology has one refine component feeding the sink and every side stream', () => {
  const definition = webrequest.make({ threads: 0 });
  const ids = definition.components.map((c) => c.id);
  assert.deepEqual(ids.filter((id) => ['canonicalize', 'geotag', 'anonymize'].includes(id)), []);
  const fromRefine = definition.components.filter((c) => c.inputs.some((i) => i.from === 'refine')).map((c) => c.id);
  assert.deepEqual(fromRefine.sort(), ['errors', 'pageview-counts', 'refined', 'sequence-check']);
});
