/**
 * Storm's messaging benchmark shape, spout → bolt → bolt, for `bench/cluster.ts`: the spout emits
 * `tuples` numbers (acked), `id` passes each one on, `sink` drops it. On 2 workers the scheduler
 * puts the three executors on two processes, so every tuple, or its ack, crosses between them;
 * on 1 worker nothing does.
 *
 *   npx nimbus submit bench/topologies/chain.ts --workers 2 -c tuples=1000000
 */
import { type Bolt, type OutputCollector, type TopologyContext, type Tuple, configKeys, configurable, shuffle, topology } from '../../core/index.js';
import { GeneratorSpout } from '../../spouts/generator/generator-spout.js';

/** Passes each tuple on, anchored (auto ack mode). */
class IdBolt implements Bolt {
  #collector!: OutputCollector;
  prepare(_context: TopologyContext, collector: OutputCollector): void {
    this.#collector = collector;
  }
  execute(tuple: Tuple): void {
    this.#collector.emit([tuple.values[0]]);
  }
}

/** Drops each tuple. */
class NullBolt implements Bolt {
  execute(): void {}
}

const CONFIG = configKeys({
  tuples: { type: 'integer', min: 1, default: 1_000_000, description: 'tuples the spout emits' },
});

export default configurable(CONFIG, (config) =>
  topology('chain', { maxSpoutPending: 2_000 })
    .spout('spout', {
      create: () => new GeneratorSpout({ next: (i) => [i], limit: config.tuples }),
      outputs: { default: ['n'], errors: ['value', 'reason', 'origin'] },
    })
    .bolt('id', { create: () => new IdBolt(), inputs: [{ from: 'spout', grouping: shuffle() }], outputs: { default: ['n'] } })
    .bolt('sink', { create: () => new NullBolt(), inputs: [{ from: 'id', grouping: shuffle() }] })
    .build(),
);
