/** The errors components report: logged, counted per component, and the last few kept for status. */
import { messageOf } from '../errors.js';
import type { Logger } from '../logger.js';
import type { MetricRegistry } from '../metrics/registry.js';

export interface ComponentError {
  readonly component: string;
  readonly task: number;
  readonly message: string;
  readonly code: string | undefined;
  readonly time: number;
}

/** Errors kept per component. */
const LAST_ERRORS = 10;

export class ComponentErrors {
  readonly #errors = new Map<string, ComponentError[]>();
  readonly #topology: string;
  readonly #metrics: MetricRegistry;
  readonly #logger: Logger;

  constructor(topology: string, metrics: MetricRegistry, logger: Logger) {
    this.#topology = topology;
    this.#metrics = metrics;
    this.#logger = logger;
  }

  /** An error a component reported: kept, counted, logged as a warning. */
  report(component: string, task: number, error: unknown): ComponentError {
    const entry = this.#keep(component, task, error);
    this.#logger.warn(`${component}[${task}]: ${entry.message}`, { component, task, ...(entry.code ? { code: entry.code } : {}) });
    return entry;
  }

  /** Registers a component's error counters at zero, so `/metrics` shows them before any error. */
  register(component: string): void {
    this.#metrics.counter('errors_total', 'Errors reported by components', { topology: this.#topology, component });
    this.#metrics.counter('fatal_errors_total', 'Errors after which a task could not go on', { topology: this.#topology, component });
  }

  /** An error after which a task cannot go on: kept, counted (also as fatal), logged as an error. */
  reportFatal(component: string, task: number, error: unknown): ComponentError {
    const entry = this.#keep(component, task, error);
    this.#metrics.counter('fatal_errors_total', 'Errors after which a task could not go on', { topology: this.#topology, component }).inc();
    this.#logger.error(`${component}[${task}] cannot go on: ${entry.message}`, { component, task, ...(entry.code ? { code: entry.code } : {}) });
    return entry;
  }

  #keep(component: string, task: number, error: unknown): ComponentError {
    const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : undefined;
    const entry: ComponentError = { component, task, message: messageOf(error), code, time: Date.now() };
    const list = this.#errors.get(component) ?? [];
    list.push(entry);
    if (list.length > LAST_ERRORS) list.shift();
    this.#errors.set(component, list);
    this.#metrics.counter('errors_total', 'Errors reported by components', { topology: this.#topology, component }).inc();
    return entry;
  }

  /** The last errors of each component, newest last. */
  last(): ReadonlyMap<string, readonly ComponentError[]> {
    return this.#errors;
  }
}
