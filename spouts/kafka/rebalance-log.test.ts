import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRoutineGroupChurn } from './log-bridge.js';
import { rebalanceSummary } from './partition-intake.js';

describe('rebalance logging', () => {
  it('says in one line what this member holds and what moved away, partitions as runs', () => {
    assert.equal(rebalanceSummary(['t/0', 't/1', 't/2', 't/5', 'u/3'], ['t/3', 't/4']), 'rebalance: holding t 0-2,5; u 3; t 3-4 moved to another member');
    assert.equal(rebalanceSummary([], ['t/0']), 'rebalance: this member holds no partitions; t 0 moved to another member');
    assert.equal(rebalanceSummary(['webrequest_text/0'], []), 'rebalance: holding webrequest_text 0');
  });

  it("takes kafkajs's routine rebalance lines for what they are, and nothing else", () => {
    assert.equal(isRoutineGroupChurn('[Runner] The group is rebalancing, re-joining', {}), true);
    assert.equal(isRoutineGroupChurn('[Connection] Response Heartbeat(key: 12, version: 3)', { error: 'The group is rebalancing, so a rejoin is needed' }), true);
    assert.equal(isRoutineGroupChurn('[Runner] The coordinator is not aware of this member, re-joining the group', {}), true);
    assert.equal(isRoutineGroupChurn('[Connection] Connection error: connect ECONNREFUSED 127.0.0.1:9092', {}), false);
    assert.equal(isRoutineGroupChurn('[Consumer] Crash: KafkaJSNumberOfRetriesExceeded', { error: 'Snappy compression not implemented' }), false);
  });
});
