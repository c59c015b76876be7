import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REDACTED_IP, redactIps } from './redact.js';

test('whole IPv4 and IPv6 addresses are replaced, in any position', () => {
  assert.equal(redactIps('from 203.0.113.7 via 2001:db8::7 and ::1'), `from ${REDACTED_IP} via ${REDACTED_IP} and ${REDACTED_IP}`);
  assert.equal(redactIps('FE80:0000:0000:0000:0202:B3FF:FE1E:8329'), REDACTED_IP);
  assert.equal(redactIps('::ffff:198.51.100.1'), `::ffff:${REDACTED_IP}`);
});

test('what follows an ip or x_forwarded_for key goes, even cut short by a truncated line', () => {
  assert.equal(redactIps('{"hostname":"cp1","ip":"203.0.11'), `{"hostname":"cp1","ip":"${REDACTED_IP}`);
  assert.equal(redactIps('{"x_forwarded_for":"198.51.100.1, 10.0.0.1","dt":"-"}'), `{"x_forwarded_for":"${REDACTED_IP}","dt":"-"}`);
});

test('timestamps and sequence numbers are left alone; a dotted quad in a user agent is redacted too', () => {
  const text = '{"dt":"2026-11-22T10:00:00Z","sequence":1234567,"ua":"Chrome/116.0.0.0","time":"10:00"}';
  assert.equal(redactIps(text), text.replace('116.0.0.0', REDACTED_IP));
});
