import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Tuple } from '../core/index.js';
import { errorLine, redactBytes } from './kafka-to-hdfs.js';

const tuple = (value: unknown, reason: string): Tuple => {
  const values = [value, reason, 'webrequest_text/0@7'];
  const fields = ['value', 'reason', 'origin'];
  return { values, fields, sourceComponent: 'hdfs', sourceStream: 'errors', sourceTask: 2, get: <T>(f: string) => values[fields.indexOf(f)] as T, isTick: () => false };
};

describe('kafka-to-hdfs error lines', () => {
  const line = '{"dt":"yesterday","ip":"203.0.113.7","x_forwarded_for":"2001:db8::1, 198.51.100.4","uri_path":"/wiki/A"}';

  it('redact client IPs from the value and the reason, text or binary', () => {
    const out = errorLine(tuple(Buffer.from(line), `invalid JSON in ${line.length} bytes starting "{\\"ip\\":\\"203.0.113.7"`), true);
    assert.equal(out.value, '{"dt":"yesterday","ip":"[ip redacted]","x_forwarded_for":"[ip redacted]","uri_path":"/wiki/A"}');
    assert.doesNotMatch(String(out.reason), /203\.0\.113\.7/);
    assert.deepEqual([out.origin, out.from], ['webrequest_text/0@7', 'hdfs']);

    const binary = Buffer.concat([Buffer.from([0xff, 0x00, 0x16]), Buffer.from('198.51.100.4'), Buffer.from([0xfe])]);
    const redacted = redactBytes(binary);
    assert.deepEqual(redacted.subarray(0, 3), Buffer.from([0xff, 0x00, 0x16]), 'other bytes are kept');
    assert.ok(!redacted.toString('latin1').includes('198.51.100.4'));
    assert.equal(errorLine(tuple(binary, 'truncated'), true).valueBase64, redacted.toString('base64'));
  });

  it('keep the exact bytes when masking is off', () => {
    assert.equal(errorLine(tuple(Buffer.from(line), 'bad dt'), false).value, line);
    assert.equal(errorLine(tuple(null, 'no value'), false).value, null);
  });
});
