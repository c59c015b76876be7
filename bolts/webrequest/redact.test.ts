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

test('timestamps and sequence numbers are left alone; a dotted quad outside a user agent is redacted', () => {
  const text = '{"dt":"2026-11-22T10:00:00Z","sequence":1234567,"ua":"Chrome/116.0.0.0","time":"10:00"}';
  assert.equal(redactIps(text), text.replace('116.0.0.0', REDACTED_IP));
});

test("a user agent's product versions stay; an address in it goes", () => {
  const agent = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/116.0.0.0 Safari/537.36';
  const line = `{"user_agent":"${agent}","referer":"-"}`;
  assert.equal(redactIps(line), line, 'no address in it');
  assert.equal(redactIps(`{"user_agent":"curl/8.1.2 from 203.0.113.7 (proxy 2001:db8::1)"}`), `{"user_agent":"curl/8.1.2 from ${REDACTED_IP} (proxy ${REDACTED_IP})"}`);
  assert.equal(redactIps('{"user_agent":"Bot/1.0 (+http://198.51.100.9/bot) X/10.1.2.3'), `{"user_agent":"Bot/1.0 (+http://${REDACTED_IP}/bot) X/10.1.2.3`, 'a line cut inside the agent');
  assert.equal(redactIps('{"uri_path":"/ip/203.0.113.7","user_agent":"A/1.2.3.4"}'), `{"uri_path":"/ip/${REDACTED_IP}","user_agent":"A/1.2.3.4"}`, 'the version exception holds only inside the agent');
});

test('no address of a generated corpus survives, wherever it sits', () => {
  for (let i = 0; i < 2000; i++) {
    const v4 = `${(i * 7) % 256}.${(i * 13) % 256}.${(i * 31) % 256}.${(i * 61) % 256}`;
    const v6 = `2001:db8:${(i % 65535).toString(16)}::${(i * 3).toString(16)}`;
    for (const text of [`{"ip":"${v4}"}`, `{"user_agent":"Tool/2 ${v4} ${v6}"}`, `{"referer":"http://${v4}/x","x_forwarded_for":"${v6}, ${v4}"}`, `garbage ${v4}, ${v6}`]) {
      const out = redactIps(text);
      assert.ok(!out.includes(v4) && !out.includes(v6), `${text} -> ${out}`);
    }
  }
});
