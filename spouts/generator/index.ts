/**
 * Synthetic webrequest traffic: seedable varnishkafka JSON lines for tests, demos and benchmarks.
 *
 * @example
 * import { WebrequestGenerator } from './spouts/generator/index.js';
 * const gen = new WebrequestGenerator({ seed: 42, hosts: 4, malformedShare: 0.01 });
 * for (let i = 0; i < 3; i++) process.stdout.write(gen.nextLine() + '\n');
 */
export {
  WebrequestGenerator,
  compileGeneratorOptions,
  WEBREQUEST_GENERATOR_DEFAULTS,
  type WebrequestGeneratorOptions,
  type GeneratedWebrequest,
  type SyntheticWebrequest,
  type MalformedKind,
} from './webrequest-generator.js';
export { Mulberry32, weightedTable, type WeightedTable } from './prng.js';
export {
  SITES,
  TITLES,
  wikiUrlEncode,
  type SyntheticSite,
  type SyntheticAccess,
} from './webrequest-corpus.js';
export { GeneratorSpout, type GeneratorSpoutOptions } from './generator-spout.js';
