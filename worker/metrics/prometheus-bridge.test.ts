import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetricRegistry } from '../../core/index.js';
import { PrometheusBridge } from './prometheus-bridge.js';

describe('PrometheusBridge', () => {
  it("serves the engine's families and prom-client's process metrics, each under one squall_ prefix", async () => {
    const registry = new MetricRegistry();
    registry.counter('emitted_total', 'Tuples emitted', { topology: 't', component: 'c', task: '1', stream: 'default' }).inc(3);
    const bridge = new PrometheusBridge();
    bridge.add(registry);
    const text = await bridge.metrics();
    assert.match(text, /^squall_emitted_total\{topology="t",component="c",task="1",stream="default"\} 3$/m);
    assert.match(text, /^squall_process_cpu_seconds_total /m);
    assert.match(text, /^squall_nodejs_eventloop_lag_seconds /m);
    assert.doesNotMatch(text, /squall_process_process_|squall_process_nodejs_/);
  });
});
