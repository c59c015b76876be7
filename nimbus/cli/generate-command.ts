/**
 * `nimbus generate`: synthetic varnishkafka traffic, as NDJSON to a file or stdout, or produced
 * to a Kafka topic the way varnishkafka does (one JSON line per request, no key).
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { WebrequestGenerator } from '../../spouts/generator/index.js';
import { PRODUCER_COMPRESSIONS, type ProducerCompression, produceLines } from '../../spouts/kafka/index.js';
import { ExitCode } from './exit-codes.js';
import { FlagError, generatorFlags } from './generate-flags.js';

export const GENERATE_HELP = `Usage: nimbus generate [options]

Writes synthetic webrequests in the varnishkafka JSON format: N cache hosts, each with its own
monotonic sequence, a spread of projects, languages, user agents (bots included), IPv4 and IPv6
clients, and a share of malformed lines. The same seed gives the same lines.

Options:
  -n, --records <n>          How many lines (default 100000).
  -o, --output <file>        Write NDJSON to this file (default: stdout).
      --kafka <brokers>      Produce to Kafka instead, e.g. 127.0.0.1:9092 (comma-separated).
      --topic <name>         The Kafka topic (default webrequest_text).
      --compression <codec>  How produced batches are compressed: none, gzip, snappy, lz4 or
                             zstd (default none), as a producer's compression.type. varnishkafka
                             in production uses snappy.
      --seed <n>             PRNG seed (default 1).
      --hosts <n>            Cache hosts (default 8).
      --malformed <share>    Share of malformed lines, 0 to 1 (default 0.01).
      --loss <share>         Share of sequence numbers skipped, to simulate loss (default 0).
      --start <iso-time>     Event time of the first line (default 2026-11-22T10:00:00Z).
      --rate <n>             Lines per second of event time (default 1000).
  -h, --help                 Show this help.`;

export async function generateCommand(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        records: { type: 'string', short: 'n' },
        output: { type: 'string', short: 'o' },
        kafka: { type: 'string' },
        topic: { type: 'string' },
        compression: { type: 'string' },
        seed: { type: 'string' },
        hosts: { type: 'string' },
        malformed: { type: 'string' },
        loss: { type: 'string' },
        start: { type: 'string' },
        rate: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    process.stderr.write(`nimbus generate: ${(error as Error).message}\nRun 'nimbus generate --help' for usage.\n`);
    return ExitCode.USAGE;
  }
  if (values.help) {
    process.stdout.write(`${GENERATE_HELP}\n`);
    return ExitCode.OK;
  }
  let records: number;
  let options;
  try {
    ({ records, options } = generatorFlags(values));
  } catch (error) {
    if (!(error instanceof FlagError)) throw error;
    process.stderr.write(`nimbus generate: ${error.message}\nRun 'nimbus generate --help' for usage.\n`);
    return ExitCode.USAGE;
  }
  const compression = (values.compression ?? 'none') as ProducerCompression;
  if (!PRODUCER_COMPRESSIONS.includes(compression)) {
    process.stderr.write(`nimbus generate: --compression must be one of ${PRODUCER_COMPRESSIONS.join(', ')}, got '${values.compression}'\n`);
    return ExitCode.USAGE;
  }
  if (values.compression !== undefined && values.kafka === undefined) {
    process.stderr.write(`nimbus generate: --compression applies to --kafka only (files and stdout are written uncompressed)\n`);
    return ExitCode.USAGE;
  }
  // Every option was checked by its flag above: the generator takes them as they are.
  const generator = new WebrequestGenerator(options);
  function* lines(): Generator<string> {
    for (let i = 0; i < records; i++) yield generator.nextLine();
  }
  const progress = (done: number) => {
    if (process.stderr.isTTY) process.stderr.write(`\r${done.toLocaleString('en-US')} / ${records.toLocaleString('en-US')} lines`);
  };

  if (values.kafka !== undefined) {
    const topic = values.topic ?? 'webrequest_text';
    const report = await produceLines(values.kafka.split(','), topic, lines(), { batchSize: 1000, maxInFlight: 4, compression, onProgress: progress });
    if (process.stderr.isTTY) process.stderr.write('\n');
    process.stderr.write(`produced ${report.records.toLocaleString('en-US')} lines to ${topic}${compression === 'none' ? '' : ` (${compression})`}\n`);
    return ExitCode.OK;
  }
  const out = values.output === undefined ? process.stdout : createWriteStream(values.output);
  let written = 0;
  let chunk: string[] = [];
  for (const line of lines()) {
    chunk.push(line);
    if (chunk.length === 1000) {
      written += chunk.length;
      if (!out.write(`${chunk.join('\n')}\n`)) await once(out, 'drain');
      chunk = [];
      if (written % 100_000 === 0) progress(written);
    }
  }
  if (chunk.length > 0) out.write(`${chunk.join('\n')}\n`);
  if (out !== process.stdout) {
    (out as NodeJS.WritableStream).end();
    await once(out, 'finish');
    if (process.stderr.isTTY) process.stderr.write('\n');
    process.stderr.write(`wrote ${records.toLocaleString('en-US')} lines to ${values.output}\n`);
  }
  return ExitCode.OK;
}
