/**
 * Turns records into tuples: decodes the value, picks the stream, and emits, with a
 * {@link KafkaMessageId} under at-least-once. A record that cannot be decoded or routed goes to
 * the `errors` stream as `[value, reason, origin]`; under at-least-once that tuple is tracked
 * too, so its offset is done only once the error sink has it.
 */
import { ErrorCodes, type FailReason, type SpoutOutputCollector, SquallError, messageOf } from '../../core/index.js';
import { SOURCE_ERROR_FIELDS, SOURCE_RECORD_FIELDS, originOf } from '../source-record.js';
import { decodeReasonOf } from './decoders.js';
import type { KafkaSpoutMetrics } from './metrics.js';
import type { KafkaSpoutConfig } from './options.js';
import { KafkaMessageId, type PartitionState } from './partition-state.js';
import { recordValues } from './record-values.js';
import type { SourceMessage } from './source.js';
import { ERRORS_STREAM } from './stream-router.js';

/** How a failed tuple is described on the `errors` stream. */
export function describeFailure(reason: FailReason): string {
  return `${reason.kind} in '${reason.component}' task ${reason.task}${reason.code ? ` [${reason.code}]` : ''}: ${reason.message}`;
}

export class RecordEmitter {
  readonly #config: KafkaSpoutConfig;
  readonly #collector: SpoutOutputCollector;
  readonly #outputs: (stream: string) => readonly string[];
  readonly #metrics: KafkaSpoutMetrics;
  readonly #tracked: boolean;
  readonly #checked = new Map<string, string | undefined>();

  constructor(options: {
    config: KafkaSpoutConfig;
    collector: SpoutOutputCollector;
    /** The declared fields of one of the spout's streams (empty when undeclared). */
    outputs: (stream: string) => readonly string[];
    metrics: KafkaSpoutMetrics;
  }) {
    this.#config = options.config;
    this.#collector = options.collector;
    this.#outputs = options.outputs;
    this.#metrics = options.metrics;
    this.#tracked = options.config.processingGuarantee === 'at-least-once';
  }

  /** Emits `message` on its topic's stream; `id` re-emits a failed record under its message id. */
  emitRecord(state: PartitionState, message: SourceMessage, id?: KafkaMessageId): void {
    const offset = id?.offset ?? Number(message.offset);
    const decoder = this.#config.decoder;
    let value: unknown;
    try {
      value = decoder.decode(message.value);
    } catch (error) {
      this.#metrics.errorsDecode.inc();
      this.emitError(state, message, offset, message.value, decodeReasonOf(error, decoder));
      return;
    }
    let stream: string;
    try {
      stream = this.#config.router.streamOf(state.topic);
    } catch (error) {
      this.#metrics.errorsRouting.inc();
      this.emitError(state, message, offset, value, `no stream for topic '${state.topic}': ${messageOf(error)}`);
      return;
    }
    const problem = this.#problem(stream, SOURCE_RECORD_FIELDS);
    if (problem !== undefined) {
      this.#metrics.errorsRouting.inc();
      this.emitError(state, message, offset, value, `topic '${state.topic}' routes to ${problem}`);
      return;
    }
    const values = recordValues(state.topic, state.partition, offset, message, value, state.lease);
    this.#metrics.emitted.inc();
    if (this.#tracked) {
      this.#collector.emitTo(stream, values, id ?? new KafkaMessageId(state, offset, message, 'record'));
    } else {
      this.#collector.emitTo(stream, values);
      state.offsets.done(offset);
    }
  }

  /** Emits a record that cannot be used on `errors`, with why. */
  emitError(state: PartitionState, message: SourceMessage, offset: number, value: unknown, reason: string): void {
    const values = [value, reason, originOf(state.topic, state.partition, offset)];
    if (this.#tracked) {
      this.#collector.emitTo(ERRORS_STREAM, values, new KafkaMessageId(state, offset, message, 'error', values));
    } else {
      this.#collector.emitTo(ERRORS_STREAM, values);
      state.offsets.done(offset);
    }
  }

  /** Emits a failed tuple again: a record on its stream, or an error record on `errors`. */
  emitAgain(id: KafkaMessageId): void {
    if (id.kind === 'error') this.#collector.emitTo(ERRORS_STREAM, [...id.errorValues!], id);
    else this.emitRecord(id.partition, id.message, id);
  }

  /** The value to put on `errors` for a record: decoded when it decodes, else its bytes. */
  valueForErrors(message: SourceMessage): unknown {
    try {
      return this.#config.decoder.decode(message.value);
    } catch {
      return message.value;
    }
  }

  /** Throws, naming the fix, when `errors` or a statically routed stream is missing or has other fields. */
  requireStreams(component: string): void {
    const checks: [string, readonly string[]][] = [[ERRORS_STREAM, SOURCE_ERROR_FIELDS]];
    for (const s of this.#config.router.staticStreams(this.#config.topics) ?? []) checks.push([s, SOURCE_RECORD_FIELDS]);
    for (const [stream, fields] of checks) {
      const problem = this.#problem(stream, fields);
      if (problem === undefined) continue;
      const extra = stream === 'default' || stream === ERRORS_STREAM ? '' : `['${stream}']`;
      throw new SquallError(ErrorCodes.INVALID_CONFIG, `kafka spout '${component}' emits on ${problem}: declare it in the spout's outputs, for example outputs: kafkaSpoutOutputs(${extra})`, {
        component,
      });
    }
  }

  /** Why `stream` cannot take tuples of `fields`, or undefined when it can. Checked once per stream. */
  #problem(stream: string, fields: readonly string[]): string | undefined {
    if (this.#checked.has(stream)) return this.#checked.get(stream);
    const declared = this.#outputs(stream);
    let problem: string | undefined;
    if (declared.length === 0) problem = `stream '${stream}', which the spout does not declare`;
    else if (declared.length !== fields.length || declared.some((f, i) => f !== fields[i])) {
      problem = `stream '${stream}', which declares (${declared.join(', ')}) instead of (${fields.join(', ')})`;
    }
    this.#checked.set(stream, problem);
    return problem;
  }
}
