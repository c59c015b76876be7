import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import avro from 'avsc';
import { ErrorCodes, SquallError } from '../../core/index.js';
import { compileKafkaSpoutOptions } from './compile-options.js';
import { jsonDecoder, stringDecoder } from './decoders.js';
import { DEFAULT_KAFKA_SPOUT_OPTIONS, type KafkaSpoutOptions } from './options.js';

const base: KafkaSpoutOptions = { brokers: ['127.0.0.1:9092'], groupId: 'g', topics: ['t'] };

/** Asserts that `options` are rejected with INVALID_CONFIG and a message matching `pattern`. */
function rejects(options: unknown, pattern: RegExp): void {
  assert.throws(
    () => compileKafkaSpoutOptions(options as KafkaSpoutOptions),
    (error: unknown) => {
      assert.ok(error instanceof SquallError);
      assert.equal(error.code, ErrorCodes.INVALID_CONFIG);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

describe('compileKafkaSpoutOptions', () => {
  it('fills in the frozen defaults', () => {
    const c = compileKafkaSpoutOptions(base);
    assert.ok(Object.isFrozen(c) && Object.isFrozen(DEFAULT_KAFKA_SPOUT_OPTIONS));
    assert.equal(c.firstPollOffsetStrategy, 'uncommitted-earliest');
    assert.equal(c.processingGuarantee, 'at-least-once');
    assert.equal(c.maxUncommittedOffsets, 10_000);
    assert.deepEqual({ ...c.retry }, { initialDelayMs: 100, multiplier: 2, maxDelayMs: 10_000, maxRetries: 5 });
    assert.equal(c.decoder, jsonDecoder);
    assert.deepEqual(c.subscription, ['t']);
    assert.equal(c.router.streamOf('t'), 'default');
  });

  it('merges partial retry options over the defaults', () => {
    const c = compileKafkaSpoutOptions({ ...base, retry: { maxRetries: 1 } });
    assert.equal(c.retry.maxRetries, 1);
    assert.equal(c.retry.initialDelayMs, 100);
    assert.equal(compileKafkaSpoutOptions({ ...base, retry: { maxRetries: Infinity } }).retry.maxRetries, Infinity);
  });

  it('takes a pattern instead of topics', () => {
    const c = compileKafkaSpoutOptions({ brokers: ['h:1'], groupId: 'g', pattern: /^webrequest_/ });
    assert.deepEqual(c.subscription, [/^webrequest_/]);
    assert.equal(c.topics, undefined);
  });

  it('picks decoders by value format', () => {
    assert.equal(compileKafkaSpoutOptions({ ...base, valueFormat: 'string' }).decoder, stringDecoder);
    const type = avro.Type.forSchema({ type: 'record', name: 'R', fields: [{ name: 'a', type: 'int' }] });
    assert.equal(compileKafkaSpoutOptions({ ...base, valueFormat: { avro: type } }).decoder.name, 'avro:R');
    const custom = { name: 'upper', decode: (b: Buffer | null) => String(b).toUpperCase() };
    assert.equal(compileKafkaSpoutOptions({ ...base, valueFormat: custom }).decoder, custom);
  });

  it('says how to fix brokers, group and topics', () => {
    rejects({ ...base, brokers: [] }, /'brokers' is \[\]: list at least one broker, such as \['127\.0\.0\.1:9092'\]/);
    rejects({ ...base, brokers: ['localhost'] }, /write each broker as host:port; 'localhost' is not/);
    rejects({ ...base, groupId: '' }, /'groupId' is "": name the consumer group/);
    rejects({ brokers: ['h:1'], groupId: 'g' }, /set topics, such as \['webrequest_text'\], or a pattern/);
    rejects({ ...base, pattern: /x/ }, /set either topics or pattern, not both/);
    rejects({ ...base, topics: ['a', 'a'] }, /'a' is listed twice/);
    rejects({ brokers: ['h:1'], groupId: 'g', pattern: /x/g }, /drop the g and y flags/);
    rejects({ brokers: ['h:1'], groupId: 'g', pattern: 'x' }, /use a RegExp/);
    rejects(undefined, /give an options object/);
  });

  it('names the allowed strategies and guarantees', () => {
    rejects({ ...base, firstPollOffsetStrategy: 'EARLIEST' }, /use one of earliest, latest, uncommitted-earliest, uncommitted-latest/);
    rejects({ ...base, processingGuarantee: 'exactly-once' }, /use one of at-least-once, at-most-once, none/);
  });

  it('rejects retry and uncommitted limits without acking, across fields', () => {
    rejects({ ...base, processingGuarantee: 'at-most-once', retry: { maxRetries: 3 } }, /retries need acking: remove retry, or use processingGuarantee 'at-least-once' \(it is 'at-most-once'\)/);
    rejects({ ...base, processingGuarantee: 'none', maxUncommittedOffsets: 10 }, /remove it, or use processingGuarantee 'at-least-once'/);
  });

  it('checks the retry schedule', () => {
    rejects({ ...base, retry: { multiplier: 0.5 } }, /'retry\.multiplier' is 0\.5: use a number of 1 or more/);
    rejects({ ...base, retry: { initialDelayMs: 500, maxDelayMs: 100 } }, /'retry\.maxDelayMs' is 100: use a number of milliseconds at or above retry\.initialDelayMs \(500\)/);
    rejects({ ...base, retry: { maxRetries: -1 } }, /0 or more, or Infinity/);
    rejects({ ...base, retry: { maxRetries: 1.5 } }, /0 or more, or Infinity/);
  });

  it('suggests a heartbeat a third of the session timeout', () => {
    rejects({ ...base, sessionTimeoutMs: 9000, heartbeatIntervalMs: 9000 }, /keep it below sessionTimeoutMs \(9000\); about a third of it, 3000, is usual/);
  });

  it('checks sizes, durations, formats, streams and hooks', () => {
    rejects({ ...base, maxUncommittedOffsets: 0 }, /'maxUncommittedOffsets' is 0: use a whole number, 1 or more/);
    rejects({ ...base, maxBufferedRecords: 2.5 }, /'maxBufferedRecords' is 2\.5/);
    rejects({ ...base, commitIntervalMs: -1 }, /'commitIntervalMs' is -1: use a positive number of milliseconds/);
    rejects({ ...base, valueFormat: 'xml' }, /use 'json', 'string', 'buffer', \{ avro: avscType \} or a RecordDecoder/);
    rejects({ ...base, valueFormat: { avro: {} } }, /give an avsc Type/);
    rejects({ ...base, streams: { t: 'errors' } }, /'errors' holds records that could not be used/);
    rejects({ ...base, streams: { t: '' } }, /'streams\.t' is "": name a stream declared/);
    rejects({ ...base, startOffsets: 'earliest' }, /'startOffsets' is "earliest": give an async function/);
  });
});
