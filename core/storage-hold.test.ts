import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCodes, SquallError } from './errors.js';
import { createLogger, type LogRecord } from './logger.js';
import { StorageFault } from './storage-fault.js';
import { StorageHold, StorageWarnings } from './storage-hold.js';

function harness(deadlineMs: number, stepMs: number, shared: { warnings?: StorageWarnings; stopping?: AbortSignal } = {}) {
  let clock = 0;
  const logs: LogRecord[] = [];
  const holds: (string | undefined)[] = [];
  const fatal: unknown[] = [];
  const collector = {
    holdInput: (cause: Error | undefined) => holds.push(cause === undefined ? undefined : (cause as SquallError).code),
    reportFatalError: (e: unknown) => fatal.push(e),
    reportError: () => assert.fail('a give-up is fatal, not a plain error'),
  };
  const hold = new StorageHold({
    collector,
    logger: createLogger((r) => logs.push(r), 'debug'),
    deadlineMs,
    what: 'writing errors under /out/errors',
    retry: { initialDelayMs: 0, maxDelayMs: 0 },
    now: () => clock,
    warnings: shared.warnings ?? new StorageWarnings(),
    stopping: shared.stopping,
  });
  const full = () => {
    clock += stepMs;
    return new StorageFault({ kind: 'no_space', op: 'create', path: '/out/errors/_tmp.x', fs: 'file://', detail: 'ENOSPC' });
  };
  return { hold, logs, holds, fatal, full, advance: (ms: number) => (clock += ms) };
}

describe('StorageHold', () => {
  it('holds through storage faults, says so once, and goes on by itself when a write succeeds', async () => {
    const h = harness(300_000, 1_000);
    let calls = 0;
    const result = await h.hold.run(async () => {
      if (++calls <= 5) throw h.full();
      return 'written';
    });
    assert.equal(result, 'written');
    assert.equal(calls, 6);
    assert.deepEqual(h.holds, [ErrorCodes.STORAGE_FULL, undefined], 'the task held its input once, then let go');
    const warnings = h.logs.filter((l) => l.level === 'warn');
    assert.equal(warnings.length, 1, 'one warning for five failed writes within a minute');
    assert.match(warnings[0]!.message, /^holding input: writing errors under \/out\/errors: the storage is full: create \/out\/errors\/_tmp\.x/);
    assert.match(h.logs.at(-1)!.message, /^writing again after 4 s/);
    assert.equal(h.hold.state, 'writing');
    assert.deepEqual(h.fatal, []);
  });

  it('repeats its warning once a minute, not once per failed write', async () => {
    const h = harness(600_000, 10_000);
    let calls = 0;
    await h.hold.run(async () => {
      if (++calls <= 30) throw h.full();
    });
    // 30 failures 10 s apart: warned at 10 s, then at 70, 130, 190, 250.
    assert.equal(h.logs.filter((l) => l.level === 'warn').length, 5);
  });

  it('gives up past the deadline: a fatal error with the fault code and the reason, thrown to the writer', async () => {
    const h = harness(30_000, 10_000);
    let calls = 0;
    await assert.rejects(
      h.hold.run(async () => {
        calls++;
        throw h.full();
      }),
      (e: unknown) => e instanceof SquallError && e.code === ErrorCodes.STORAGE_FULL && /still failing after 30 s \(storageDeadlineMs 30000\): the storage is full/.test(e.message),
    );
    assert.equal(calls, 4);
    assert.equal(h.fatal.length, 1);
    assert.equal(h.hold.state, 'failed');
    assert.deepEqual(h.holds, [ErrorCodes.STORAGE_FULL, undefined], 'a hold that gave up lets timeouts run again');
    // After giving up, a write is tried once, without waiting.
    calls = 0;
    await assert.rejects(h.hold.run(async () => {
      calls++;
      throw h.full();
    }));
    assert.equal(calls, 1);
  });

  it('does not hold for errors that are not storage faults', async () => {
    const h = harness(30_000, 1);
    await assert.rejects(h.hold.run(async () => Promise.reject(new Error('bad record'))), /bad record/);
    assert.deepEqual(h.holds, []);
  });

  it('waits until a probe passes; only a real write ends the hold and its deadline', async () => {
    const h = harness(30_000, 5_000);
    assert.equal(h.hold.fault(h.full()), true);
    let probes = 0;
    await h.hold.wait(async () => {
      if (++probes < 3) throw h.full();
    });
    assert.equal(probes, 3);
    assert.equal(h.hold.waiting, false, 'the writer may write again');
    assert.equal(h.hold.state, 'holding', 'but the hold is on until a write succeeds');
    // The next file fails too, at 40 s: the same hold, whose deadline (30 s from the first fault, at 5 s) passed at 35 s.
    h.advance(20_000);
    assert.equal(h.hold.fault(h.full()), false);
    assert.equal(h.hold.state, 'failed');
    assert.equal(h.fatal.length, 1);
  });

  it('says a fault once for the process, however many writers hold for it', () => {
    const warnings = new StorageWarnings();
    const a = harness(300_000, 1_000, { warnings });
    const b = harness(300_000, 1_000, { warnings });
    a.hold.fault(a.full());
    b.hold.fault(b.full());
    assert.equal(a.logs.filter((l) => l.level === 'warn').length, 1);
    assert.deepEqual(b.logs.map((l) => l.level), ['debug'], 'the second writer says it at debug level');
  });

  it('stops waiting when the topology stops: the write fails with the fault, and nothing more is reported fatal', async () => {
    const stop = new AbortController();
    const h = harness(300_000, 1_000, { stopping: stop.signal });
    let calls = 0;
    const run = h.hold.run(async () => {
      if (++calls === 3) stop.abort();
      throw h.full();
    });
    await assert.rejects(run, (e: unknown) => e instanceof SquallError && e.code === ErrorCodes.STORAGE_FULL && /stopped while the storage could not take writes/.test(e.message));
    assert.ok(calls <= 4);
    assert.deepEqual(h.fatal, []);
    assert.deepEqual(h.holds, [ErrorCodes.STORAGE_FULL, undefined]);
  });

  it('does not wait for a fault met once the topology began to stop', async () => {
    const stop = new AbortController();
    stop.abort();
    const h = harness(300_000, 1_000, { stopping: stop.signal });
    let calls = 0;
    await assert.rejects(
      h.hold.run(async () => {
        calls++;
        throw h.full();
      }),
      (e: unknown) => e instanceof SquallError && e.code === ErrorCodes.STORAGE_FULL,
    );
    assert.equal(calls, 1);
    assert.deepEqual(h.holds, []);
  });

  it('says at once when the fault changes, from a broken connection to a quota', () => {
    const h = harness(300_000, 1_000);
    h.hold.fault(new StorageFault({ kind: 'transient', op: 'CREATE', path: '/out/a', detail: 'the connection to the DataNode broke: EPIPE' }));
    h.hold.fault(h.full());
    h.hold.fault(h.full());
    assert.deepEqual(
      h.logs.filter((l) => l.level === 'warn').map((l) => l.fields.code),
      [ErrorCodes.STORAGE_IO, ErrorCodes.STORAGE_FULL],
    );
  });
});
