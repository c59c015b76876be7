/**
 * `-c redis=` naming a port where nothing listens: the run says once that the salt store is
 * unreachable, at which address and what to check; it holds its records pending (no replay
 * storm) and stops with exit 1 once `saltStoreDeadlineMs` has passed.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { repoTempDir, runNimbus } from '../support/index.js';

const work = repoTempDir('salt-store-unreachable');
after(() => rmSync(work, { recursive: true, force: true }));

test('an unreachable Redis: said once, records held pending, exit 1 after saltStoreDeadlineMs', { timeout: 120_000 }, async () => {
  const args = ['local', 'topologies/webrequest.ts', '--no-typecheck', '-q', '-c', 'redis=127.0.0.1:1', '-c', 'saltStoreDeadlineMs=3000', '-c', 'records=500', '-c', `output=${join(work, 'out')}`];
  const r = await runNimbus(args);
  const text = r.stdout + r.stderr;
  assert.equal(r.code, 1, text);
  const warnings = text.split('\n').filter((l) => / WARN /.test(l) && /127\.0\.0\.1:1\b/.test(l));
  assert.equal(warnings.length, 1, `one warning about the address:\n${warnings.join('\n')}`);
  assert.match(warnings[0]!, /holding input: reading anonymization salts: the salt store is unreachable: Redis at 127\.0\.0\.1:1 does not answer \(connect ECONNREFUSED 127\.0\.0\.1:1\); check that Redis runs there/);
  // Held, not replayed: the source emitted each record once.
  assert.match(r.stdout, /^source\s+spout\s+500\s/m, r.stdout);
  assert.match(text, /nimbus local: topology 'webrequest' failed: refine\[\d+\]: reading anonymization salts: still failing after \d+ s \(saltStoreDeadlineMs 3000\): the salt store is unreachable/);
});
