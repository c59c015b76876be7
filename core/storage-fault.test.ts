import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCodes, SquallError } from './errors.js';
import { StorageFault, isStorageFaultCode, storageFaultKind, storageFaultOf } from './storage-fault.js';

describe('storage faults', () => {
  it('classifies errno codes, HDFS exceptions and HDFS messages', () => {
    assert.equal(storageFaultKind({ errno: 'ENOSPC' }), 'no_space');
    assert.equal(storageFaultKind({ errno: 'EDQUOT' }), 'no_space');
    assert.equal(storageFaultKind({ exception: 'DSQuotaExceededException' }), 'no_space');
    assert.equal(storageFaultKind({ exception: 'NSQuotaExceededException' }), 'no_space');
    assert.equal(storageFaultKind({ errno: 'EROFS' }), 'read_only');
    assert.equal(storageFaultKind({ errno: 'EACCES' }), 'read_only');
    assert.equal(storageFaultKind({ exception: 'AccessControlException' }), 'read_only');
    assert.equal(storageFaultKind({ exception: 'SafeModeException' }), 'unavailable');
    assert.equal(storageFaultKind({ exception: 'RetriableException', message: 'Name node is in safe mode.' }), 'unavailable');
    assert.equal(
      storageFaultKind({ exception: 'IOException', message: 'File /a could only be written to 0 of the 1 minReplication nodes. There are 0 datanode(s) running' }),
      'unavailable',
    );
    assert.equal(storageFaultKind({ errno: 'EIO' }), 'transient');
    assert.equal(storageFaultKind({ errno: 'ENOENT' }), undefined);
    assert.equal(storageFaultKind({ exception: 'FileNotFoundException', message: 'File /a does not exist' }), undefined);
  });

  it('says what is wrong, where, the space, and what to do, under a stable code', () => {
    const fault = new StorageFault({ kind: 'no_space', op: 'write', path: '/out/a.avro', fs: 'file://', detail: 'ENOSPC: no space left on device', space: { free: 0, total: 4 * 1024 * 1024, of: 'disk' } });
    assert.equal(fault.code, ErrorCodes.STORAGE_FULL);
    assert.equal(fault.retriable, false);
    assert.match(fault.message, /^the storage is full: write \/out\/a\.avro on file:\/\/ failed \(ENOSPC: no space left on device; 0 B free of a disk of 4\.0 MiB\)\. Free space or grow the disk/);
    assert.match(fault.message, /re-run the same command/);
    const ro = new StorageFault({ kind: 'read_only', op: 'create', path: '/ro/x', detail: 'EROFS' });
    assert.equal(ro.code, ErrorCodes.STORAGE_READ_ONLY);
    assert.match(ro.message, /create \/ro\/x failed \(EROFS\)\. Make the path writable/);
    assert.equal(new StorageFault({ kind: 'unavailable', op: 'CREATE', path: '/x', detail: 'SafeModeException' }).retriable, true);
  });

  it('finds a fault in a cause chain, and tells its codes from others', () => {
    const fault = new StorageFault({ kind: 'transient', op: 'sync', path: '/x', detail: 'EIO' });
    const wrapped = new SquallError('SQUALL_ERR_HDFS_COMMIT_FAILED', 'could not commit', { cause: fault });
    assert.equal(storageFaultOf(wrapped), fault);
    assert.equal(storageFaultOf(new Error('other')), undefined);
    assert.equal(isStorageFaultCode(ErrorCodes.STORAGE_IO), true);
    assert.equal(isStorageFaultCode(ErrorCodes.TUPLE_TIMEOUT), false);
    assert.equal(isStorageFaultCode(undefined), false);
  });
});
