import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EncodedRecord } from '../hdfs/index.js';
import { valueText, webrequestSourceOf } from './streams.js';

test('valueText: a line as it is, a record as JSON (encoded ones too), nothing as empty', () => {
  const line = Buffer.from('{"a":1}\n');
  assert.equal(valueText('{"hostname":"cp1"'), '{"hostname":"cp1"');
  assert.equal(valueText(Buffer.from('bytes é')), 'bytes é');
  assert.equal(valueText({ client_ip: 'abc', n: 2 }), '{"client_ip":"abc","n":2}', 'not [object Object]');
  assert.equal(valueText(new EncodedRecord('ndjson', line, 0, line.length, 0)), '{"a":1}');
  assert.equal(valueText(null), '');
  assert.equal(valueText(undefined), '');
});

test('webrequestSourceOf: the topic without its webrequest_ prefix, else the fallback', () => {
  assert.equal(webrequestSourceOf('webrequest_upload', 'text'), 'upload');
  assert.equal(webrequestSourceOf('input.ndjson', 'text'), 'text');
});
