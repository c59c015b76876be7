/**
 * What `npm run bench` runs: benchmarks made of cases, each case one child process that prints a
 * measurement. Others add theirs with {@link registerBenchmark} (cluster mode, Kafka → HDFS):
 * give each case a command printing one JSON line `{"tuples","wallMs","cpuMs"}` and name the
 * ratios to report. Cases with the same id are one child per round, however many benchmarks
 * list them.
 */

/** One system under one setting, measured by one child process per round. */
export interface BenchCase {
  /** Unique across benchmarks; two benchmarks listing the same id share its runs. */
  readonly id: string;
  /** The system, for the chart's colour and the tables: 'Squall', 'Apache Storm', 'qtopology', 'bare loop'. */
  readonly system: string;
  /** The setting, as shown in the tables: 'acking on, 1 executor'. */
  readonly label: string;
  /** The child's argv (argv[0] is the executable) and working directory. */
  readonly command: () => { argv: string[]; cwd?: string };
  /** Builds or installs what the command needs, once per `npm run bench`; says so when it downloads. */
  readonly prepare?: () => Promise<void>;
  /** The unit of `tuples` in the tables. @default 'tuples' */
  readonly unit?: string;
}

/**
 * A ratio to report: `of`'s median throughput over the best median among `to` (the best of the
 * baseline's settings, so a peer gets its best showing). The CPU ratio is the baseline's CPU ns
 * per unit over `of`'s, so above 1 means `of` is cheaper too.
 */
export interface BenchRatio {
  readonly label: string;
  readonly of: string;
  readonly to: readonly string[];
  /** A target the ratio should meet, as stated in the issue (shown beside it). */
  readonly target?: number;
}

export interface Benchmark {
  readonly name: string;
  readonly title: string;
  /** What the cases do and what to read into them; goes under the benchmark's heading. */
  readonly note: string;
  readonly cases: readonly BenchCase[];
  readonly ratios: readonly BenchRatio[];
}

const benchmarks: Benchmark[] = [];

/** Adds a benchmark to `npm run bench` (and to `--only NAME`). */
export function registerBenchmark(b: Benchmark): void {
  if (benchmarks.some((x) => x.name === b.name)) throw new Error(`benchmark '${b.name}' is registered twice`);
  const ids = new Set(b.cases.map((c) => c.id));
  for (const r of b.ratios) {
    for (const id of [r.of, ...r.to]) if (!ids.has(id)) throw new Error(`benchmark '${b.name}': ratio '${r.label}' names case '${id}', which the benchmark does not list`);
  }
  benchmarks.push(b);
}

/** Every registered benchmark, in registration order. */
export function registeredBenchmarks(): readonly Benchmark[] {
  return benchmarks;
}
