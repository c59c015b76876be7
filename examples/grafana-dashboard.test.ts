import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

test('the Grafana dashboard uses only metric names that docs/reference/metrics.md lists', () => {
  const dashboard = readFileSync(new URL('./grafana-dashboard.json', import.meta.url), 'utf8');
  const docs = readFileSync(new URL('../docs/reference/metrics.md', import.meta.url), 'utf8');
  JSON.parse(dashboard);
  const names = new Set([...dashboard.matchAll(/squall_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, '')));
  assert.ok(names.size > 20);
  assert.deepEqual([...names].filter((n) => !docs.includes(`\`${n}\``)), []);
});
