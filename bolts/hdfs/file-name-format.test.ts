import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OffsetRangeFileNameFormat, ownerTag } from './file-name-format.js';

describe('OffsetRangeFileNameFormat', () => {
  const names = new OffsetRangeFileNameFormat();

  it('names committed files by topic, partition and offset range, and parses them back', () => {
    const name = names.committed({ topic: 'webrequest_text', partition: 3, firstOffset: 100, lastOffset: 2345 }, '.avro');
    assert.equal(name, 'part-webrequest_text-3-00000000000000000100-00000000000000002345.avro');
    assert.deepEqual(names.parseCommitted(name), { topic: 'webrequest_text', partition: 3, firstOffset: 100, lastOffset: 2345, extension: '.avro' });
  });

  it('round-trips topics with dashes, dots and characters a path cannot hold', () => {
    for (const topic of ['a-b-1-2', 'web.request', 'logs/2024 01.ndjson', 'café%']) {
      const name = names.committed({ topic, partition: 0, firstOffset: 0, lastOffset: 9 }, '.ndjson');
      assert.ok(!name.includes('/') && !name.includes(' '), name);
      assert.equal(names.parseCommitted(name)?.topic, topic);
    }
  });

  it('keeps temporary files and manifests hidden and tells them apart', () => {
    const owner = ownerTag('hdfs.sink', 2);
    assert.equal(owner, 'hdfs_sink-2');
    const temp = names.temporary(owner, 'abcd', { topic: 't', partition: 1, firstOffset: 5 }, '.avro');
    assert.ok(temp.startsWith('_'));
    assert.equal(names.temporaryOwner(temp), owner);
    assert.equal(names.parseCommitted(temp), undefined);
    const committed = names.committed({ topic: 't', partition: 1, firstOffset: 5, lastOffset: 9 }, '.avro');
    const manifest = names.manifest(committed);
    assert.ok(manifest.startsWith('_'));
    assert.equal(names.parseManifest(manifest), committed);
    assert.equal(names.temporaryOwner(committed), undefined);
    assert.equal(names.parseCommitted('_SUCCESS'), undefined);
    assert.equal(names.parseCommitted('part-t-1-9-5.avro'), undefined, 'last below first');
  });
});
