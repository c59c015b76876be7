/**
 * Exposes Squall's metric registry through prom-client. The engine keeps its metrics as plain
 * numbers (an addition per tuple); at scrape time each family becomes a prom-client metric that
 * reads those numbers, next to prom-client's default process metrics.
 */
import client from 'prom-client';
import { Histogram, type MetricFamily, type MetricRegistry } from '../../core/index.js';

interface Sample {
  value: number;
  labels: Record<string, string>;
  metricName?: string;
}

function samplesOf(family: MetricFamily, extra: Readonly<Record<string, string>>): Sample[] {
  const out: Sample[] = [];
  for (const { labels: own, metric } of family.series.values()) {
    const labels = { ...own, ...extra };
    if (metric instanceof Histogram) {
      let cumulative = 0;
      metric.buckets.forEach((le, i) => {
        cumulative += metric.counts[i]!;
        out.push({ value: cumulative, labels: { ...labels, le: String(le) }, metricName: `${family.name}_bucket` });
      });
      out.push({ value: metric.count, labels: { ...labels, le: '+Inf' }, metricName: `${family.name}_bucket` });
      out.push({ value: metric.sum, labels: { ...labels }, metricName: `${family.name}_sum` });
      out.push({ value: metric.count, labels: { ...labels }, metricName: `${family.name}_count` });
    } else {
      out.push({ value: metric.value, labels: { ...labels } });
    }
  }
  return out;
}

/** A prom-client registry that serves one or more Squall registries and the process metrics. */
export class PrometheusBridge {
  readonly registry = new client.Registry();
  readonly #sources: MetricRegistry[] = [];
  readonly #registered = new Set<string>();
  readonly #labels: Readonly<Record<string, string>>;

  /** @param options.labels added to every Squall series (a worker adds `worker`) */
  constructor(options: { processMetrics?: boolean; labels?: Readonly<Record<string, string>> } = {}) {
    this.#labels = options.labels ?? {};
    // prom-client's names already start with process_ or nodejs_: squall_process_cpu_seconds_total, not squall_process_process_….
    if (options.processMetrics !== false) client.collectDefaultMetrics({ register: this.registry, prefix: 'squall_' });
  }

  add(source: MetricRegistry): void {
    this.#sources.push(source);
  }

  /** The text exposition format, for `GET /metrics`. */
  async metrics(): Promise<string> {
    for (const source of this.#sources) {
      for (const family of source.families()) {
        if (this.#registered.has(family.name)) continue;
        this.#registered.add(family.name);
        const name = family.name;
        const sources = this.#sources;
        const extra = this.#labels;
        this.registry.registerMetric({
          name,
          help: family.help,
          type: family.type,
          aggregator: 'sum',
          get: async () => ({
            name,
            help: family.help,
            type: family.type,
            aggregator: 'sum',
            values: sources.flatMap((s) => [...s.families()].filter((f) => f.name === name).flatMap((f) => samplesOf(f, extra))),
          }),
          reset: () => {},
        } as unknown as client.Metric);
      }
    }
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
