import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetricRegistry, SquallError, createLogger, type LogRecord } from '../../core/index.js';
import { ConsumerCrashes, waitingFor } from './consumer-crashes.js';
import { KafkaErrorCodes } from './errors.js';
import { KafkaSpoutMetrics } from './metrics.js';

const zero = () => 0;
const brokers = ['127.0.0.1:9092'];

function setup(delayResult = true) {
  const registry = new MetricRegistry();
  const metrics = new KafkaSpoutMetrics(registry.group({ component: 'kafka' }), { buffered: zero, uncommitted: zero, inFlight: zero, assigned: zero, paused: zero, lag: zero });
  const lines: LogRecord[] = [];
  const delays: number[] = [];
  const reported: unknown[] = [];
  const fatal: unknown[] = [];
  const crashes = new ConsumerCrashes({
    brokers,
    logger: createLogger((r) => void lines.push(r), 'debug', 'test'),
    metrics,
    reportError: (e) => void reported.push(e),
    reportFatalError: (e) => void fatal.push(e),
    delay: async (ms) => {
      delays.push(ms);
      return delayResult;
    },
  });
  return { crashes, metrics, lines, delays, reported, fatal };
}

const connectionError = () => Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092'), { name: 'KafkaJSNumberOfRetriesExceeded', cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9092'), { name: 'KafkaJSConnectionError' }) });

describe('ConsumerCrashes', () => {
  it('restarts after a backoff that doubles with each crash in a row, saying what it waits for', async () => {
    const { crashes, metrics, lines, delays } = setup();
    assert.equal(await crashes.beforeRestart(connectionError()), true);
    assert.equal(await crashes.beforeRestart(connectionError()), true);
    assert.equal(await crashes.beforeRestart(connectionError()), true);
    assert.deepEqual(delays, [1000, 2000, 4000]);
    assert.equal(lines[2]!.level, 'warn');
    assert.equal(lines[2]!.message, 'the Kafka consumer crashed (3 in a row): Connection error: connect ECONNREFUSED 127.0.0.1:9092; restarting it in 4000 ms, waiting for the brokers (127.0.0.1:9092) to accept connections');
    assert.equal(metrics.consumerRestarts.value, 3);
    crashes.recovered();
    await crashes.beforeRestart(connectionError());
    assert.equal(delays.at(-1), 1000, 'records arrived in between: the backoff starts afresh');
  });

  it('reports a fatal crash as a non-retriable error, with the remedy for a codec it cannot read', () => {
    const { crashes, metrics, fatal, reported } = setup();
    crashes.crashed(Object.assign(new Error('ZSTD compression not implemented'), { name: 'KafkaJSNotImplemented' }), false);
    assert.equal(reported.length, 0);
    const [error] = fatal as SquallError[];
    assert.ok(error instanceof SquallError);
    assert.equal(error.code, KafkaErrorCodes.CONSUMER_CRASH);
    assert.equal(error.retriable, false);
    assert.match(error.message, /^the Kafka consumer failed and no restart can help: ZSTD compression not implemented\. A batch is compressed with a codec this process cannot read/);
    assert.equal(metrics.consumerCrashes.value, 1);
    assert.equal(metrics.consumerRestarts.value, 0);
  });

  it('is not fatal when the spout closed while a restart waited', async () => {
    const { crashes, fatal, metrics } = setup(false);
    assert.equal(await crashes.beforeRestart(connectionError()), false);
    crashes.crashed(connectionError(), false);
    assert.deepEqual([fatal.length, metrics.consumerRestarts.value], [0, 0]);
  });
});

describe('waitingFor', () => {
  it('names what a restart waits for', () => {
    assert.equal(waitingFor(connectionError(), brokers), 'the brokers (127.0.0.1:9092) to accept connections');
    assert.equal(waitingFor({ name: 'KafkaJSProtocolError', type: 'UNKNOWN_TOPIC_OR_PARTITION', message: 'This server does not host this topic-partition' }, brokers), 'the topic to exist on the brokers');
    assert.equal(waitingFor({ name: 'KafkaJSProtocolError', type: 'LEADER_NOT_AVAILABLE', message: 'There is no leader for this topic-partition' }, brokers), 'partition leaders to be elected');
    assert.equal(waitingFor({ name: 'KafkaJSProtocolError', type: 'COORDINATOR_NOT_AVAILABLE', message: 'The coordinator is not available' }, brokers), "the consumer group's coordinator to be available");
    assert.equal(waitingFor(new Error('odd'), brokers), 'Kafka to answer again (Error: odd)');
  });
});
