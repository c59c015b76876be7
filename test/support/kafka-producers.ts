/**
 * Writing to Kafka with the producers real deployments use, for tests of what the spout reads:
 * librdkafka (kcat; varnishkafka is built on librdkafka) and Kafka's own Java producer. Records
 * go through the producer's stdin, never through a file, so synthetic client IPs stay off disk.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { ensureKafkaProducers } from './infra.js';

/** Kafka's compression codecs, as both producers name them. */
export type ProducerCodec = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

/** The producers {@link produceWith} can run. */
export type RealProducer = 'librdkafka' | 'java';

/** One record: its key (no tab or newline) and its value (one line). */
export interface KeyedLine {
  readonly key: string;
  readonly value: string;
}

function run(command: string, args: readonly string[], input: string, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    child.on('error', (error) => reject(new Error(`${what} could not be started: ${error.message}`)));
    child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`${what} exited with code ${code}:\n${output.slice(-2000)}`))));
    child.stdin.end(input);
  });
}

function tsv(lines: readonly KeyedLine[]): string {
  for (const { key, value } of lines) if (/[\t\n]/.test(key) || value.includes('\n')) throw new Error(`a key may hold no tab or newline, a value no newline: ${JSON.stringify(key)}`);
  return lines.map(({ key, value }) => `${key}\t${value}\n`).join('');
}

/**
 * Produces `lines`, keyed, to `topic` with `producer` and `codec`, and resolves once the producer
 * has exited successfully (both wait for every acknowledgement before exiting).
 */
export async function produceWith(producer: RealProducer, brokers: readonly string[], topic: string, codec: ProducerCodec, lines: readonly KeyedLine[]): Promise<void> {
  const input = tsv(lines);
  if (producer === 'librdkafka') {
    await ensureKafkaProducers();
    await run('kcat', ['-P', '-b', brokers.join(','), '-t', topic, '-K', '\t', '-z', codec, '-X', 'acks=all', '-X', 'linger.ms=20'], input, `kcat producing ${codec} to ${topic}`);
    return;
  }
  const classpath = (await readFile(await ensureKafkaProducers(), 'utf8')).trim();
  await run(
    'java',
    [
      '-Xmx256m',
      '-Dlog4j.configuration=file:/dev/null',
      '-cp',
      classpath,
      'kafka.tools.ConsoleProducer',
      '--bootstrap-server',
      brokers.join(','),
      '--topic',
      topic,
      '--compression-codec',
      codec,
      '--request-required-acks',
      'all',
      '--property',
      'parse.key=true',
      '--property',
      'key.separator=\t',
    ],
    input,
    `Kafka's Java console producer writing ${codec} to ${topic}`,
  );
}
