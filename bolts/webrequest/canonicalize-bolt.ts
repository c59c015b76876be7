/**
 * canonicalize: parses each varnishkafka line and refines it (host, x_analytics, user agent,
 * pageview classification, access method, agent type). A malformed line goes to `errors` with
 * its reason, its IPs redacted. Every parsed record also feeds the sequence check, and every
 * user pageview the pageview counts.
 */
import type { Bolt, OutputCollector, TopologyContext, Tuple } from '../../core/index.js';
import { canonicalize, CanonicalizeCaches } from './canonicalize.js';
import { parseWebrequestLine } from './parse.js';
import { domainCodeOf } from './pageview-dump.js';
import { redactIps } from './redact.js';
import { webrequestSourceOf } from './streams.js';

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return value === null || value === undefined ? '' : JSON.stringify(value);
}

export class CanonicalizeBolt implements Bolt {
  readonly #caches = new CanonicalizeCaches();
  #collector!: OutputCollector;
  #fallbackSource = 'text';
  #malformed!: { inc(by?: number): void };

  prepare(context: TopologyContext, collector: OutputCollector): void {
    this.#collector = collector;
    this.#fallbackSource = String(context.config.webrequestSource ?? 'text');
    this.#malformed = context.metrics.counter('webrequest_malformed_total', 'Lines that could not be parsed');
  }

  execute(tuple: Tuple): void {
    const topic = tuple.get<string>('topic');
    const partition = tuple.get<number>('partition');
    const offset = tuple.get<number | string>('offset');
    const value = tuple.get<unknown>('value');
    const parsed = parseWebrequestLine(typeof value === 'string' || Buffer.isBuffer(value) ? value : textOf(value));
    if (!parsed.ok) {
      this.#malformed.inc();
      this.#collector.emitTo('errors', [redactIps(textOf(value)), parsed.reason, `${topic}/${partition}@${offset}`]);
      return;
    }
    const record = canonicalize(parsed.record, { source: webrequestSourceOf(topic, this.#fallbackSource), caches: this.#caches });
    this.#collector.emit([record, topic, partition, offset]);
    this.#collector.emitTo('sequence', [record.hostname, record.sequence, record.ts]);
    const info = record.pageview_info;
    // A pageview without a time cannot be placed in an hour's dump; the sequence check counts it as incomplete.
    if (record.is_pageview && record.agent_type === 'user' && info !== null && record.ts !== null) {
      const code = domainCodeOf(info.project, record.access_method);
      if (code !== undefined) this.#collector.emitTo('pageviews', [code, info.page_title, record.ts]);
    }
  }
}
