/**
 * Word count, Storm's first example: sentences → split into words → count per word (a fields
 * grouping sends each word to the same task) → a report of the most frequent words.
 *
 *   npx nimbus local examples/word-count.ts
 *   npx nimbus local examples/word-count.ts -c sentences=1000000 -c top=20
 *   npx nimbus local examples/word-count.ts --help      # its config keys
 */
import {
  type Bolt,
  type FlushReason,
  type OutputCollector,
  type TopologyContext,
  type Tuple,
  configKeys,
  configurable,
  fields,
  global,
  shuffle,
  topology,
} from '../core/index.js';
import { GeneratorSpout } from '../spouts/generator/generator-spout.js';

const SENTENCES = [
  'the cow jumped over the moon',
  'an apple a day keeps the doctor away',
  'four score and seven years ago',
  'snow white and the seven dwarfs',
  'i am at two with nature',
];

/** Splits a sentence into words. */
class SplitSentence implements Bolt<'sentence'> {
  #collector!: OutputCollector;
  prepare(_context: TopologyContext, collector: OutputCollector): void {
    this.#collector = collector;
  }
  execute(tuple: Tuple<'sentence'>): void {
    for (const word of tuple.get<string>('sentence').split(' ')) this.#collector.emit([word]);
  }
}

/** Counts each word it sees and emits the running count. */
class WordCount implements Bolt<'word'> {
  readonly #counts = new Map<string, number>();
  #collector!: OutputCollector;
  prepare(_context: TopologyContext, collector: OutputCollector): void {
    this.#collector = collector;
  }
  execute(tuple: Tuple<'word'>): void {
    const word = tuple.get<string>('word');
    const count = (this.#counts.get(word) ?? 0) + 1;
    this.#counts.set(word, count);
    this.#collector.emit([word, count]);
  }
}

/** Keeps the latest count of every word and logs the top words when the input ends. */
class TopWords implements Bolt<'word' | 'count'> {
  readonly #latest = new Map<string, number>();
  readonly #top: number;
  #context!: TopologyContext;
  constructor(top: number) {
    this.#top = top;
  }
  prepare(context: TopologyContext): void {
    this.#context = context;
  }
  execute(tuple: Tuple<'word' | 'count'>): void {
    this.#latest.set(tuple.get<string>('word'), tuple.get<number>('count'));
  }
  flush(reason: FlushReason): void {
    if (reason !== 'end-of-input') return;
    const top = [...this.#latest].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, this.#top);
    this.#context.logger.info(`top words: ${top.map(([w, c]) => `${w}=${c}`).join(' ')}`);
  }
}

/** The config keys (`-c key=value`): checked before anything runs, listed by `--help`. */
const CONFIG = configKeys({
  sentences: { type: 'integer', min: 1, default: 100_000, description: 'sentences to generate' },
  top: { type: 'integer', min: 1, default: 10, description: 'words to report at the end' },
});

export default configurable(CONFIG, (config) =>
  topology('word-count')
    .spout('sentences', {
      create: () => new GeneratorSpout({ next: (i) => [SENTENCES[i % SENTENCES.length]], limit: config.sentences }),
      outputs: { default: ['sentence'], errors: ['value', 'reason', 'origin'] },
    })
    .bolt('split', {
      create: () => new SplitSentence(),
      parallelism: 2,
      inputs: [{ from: 'sentences', grouping: shuffle() }],
      outputs: { default: ['word'] },
    })
    .bolt('count', {
      create: () => new WordCount(),
      parallelism: 2,
      tasks: 4,
      inputs: [{ from: 'split', grouping: fields('word') }],
      outputs: { default: ['word', 'count'] },
    })
    .bolt('report', { create: () => new TopWords(config.top), inputs: [{ from: 'count', grouping: global() }] })
    .build(),
);
