/**
 * Checks a topology before anything runs. Each problem is a {@link SquallError} with a stable
 * code that names the component and says how to fix it.
 */
import { ErrorCodes, SquallError } from '../errors.js';
import type { ComponentDefinition, TopologyDefinition } from './types.js';

const GROUPING_TYPES = new Set(['shuffle', 'fields', 'partialKey', 'all', 'global', 'direct', 'localOrShuffle', 'custom']);
const ID_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]*$/;

/** Thrown by `build()` and by every runner when a topology is invalid. */
export class TopologyValidationError extends SquallError {
  readonly problems: readonly SquallError[];

  constructor(topology: string, problems: readonly SquallError[]) {
    const lines = problems.map((p) => `  - [${p.code}] ${p.message}`).join('\n');
    super(problems[0]!.code, `topology '${topology}' is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines}`, {
      component: problems[0]!.component,
    });
    this.name = 'TopologyValidationError';
    this.problems = problems;
  }
}

function isPositiveInt(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1;
}

function checkComponent(c: ComponentDefinition, problems: SquallError[]): void {
  const add = (code: string, message: string) => problems.push(new SquallError(code, message, { component: c.id }));
  if (typeof c.id !== 'string' || !ID_PATTERN.test(c.id)) {
    add(ErrorCodes.INVALID_TOPOLOGY, `component id '${String(c.id)}' is invalid: use a letter followed by letters, digits, '_', '.' or '-'`);
  }
  if (typeof c.create !== 'function') {
    add(
      ErrorCodes.MISSING_IMPLEMENTATION,
      `${c.kind} '${c.id}' has no implementation: give it \`create: (context) => new My${c.kind === 'spout' ? 'Spout' : 'Bolt'}()\``,
    );
  }
  if (!isPositiveInt(c.parallelism)) {
    add(ErrorCodes.INVALID_TOPOLOGY, `${c.kind} '${c.id}' has parallelism ${String(c.parallelism)}: use a whole number of executors, 1 or more`);
  }
  if (!isPositiveInt(c.tasks)) {
    add(ErrorCodes.INVALID_TOPOLOGY, `${c.kind} '${c.id}' has ${String(c.tasks)} tasks: use a whole number, 1 or more`);
  }
  if (isPositiveInt(c.parallelism) && isPositiveInt(c.tasks) && c.parallelism > c.tasks) {
    add(
      ErrorCodes.PARALLELISM_ABOVE_TASKS,
      `${c.kind} '${c.id}' has ${c.parallelism} executors but only ${c.tasks} tasks: an executor needs a task; set tasks to at least ${c.parallelism} or lower parallelism`,
    );
  }
  if (!Number.isInteger(c.threads) || c.threads < 0) {
    add(ErrorCodes.INVALID_TOPOLOGY, `bolt '${c.id}' has threads ${String(c.threads)}: use 0 (main thread) or a whole number of pool threads`);
  }
  if (c.kind === 'spout' && c.tickIntervalMs !== undefined) {
    add(ErrorCodes.INVALID_TOPOLOGY, `spout '${c.id}' sets tickIntervalMs, but tick tuples go to bolts: remove it, or time the spout's work with a timer in open()`);
  } else if (c.tickIntervalMs !== undefined && !(typeof c.tickIntervalMs === 'number' && c.tickIntervalMs > 0)) {
    add(ErrorCodes.INVALID_TOPOLOGY, `${c.kind} '${c.id}' has tickIntervalMs ${String(c.tickIntervalMs)}: use a positive number of milliseconds`);
  }
  for (const stream of Object.values(c.outputs)) {
    const seen = new Set<string>();
    for (const field of stream.fields) {
      if (typeof field !== 'string' || field.length === 0) {
        add(ErrorCodes.INVALID_TOPOLOGY, `stream '${stream.id}' of '${c.id}' declares a field that is not a non-empty string`);
      } else if (seen.has(field)) {
        add(ErrorCodes.INVALID_TOPOLOGY, `stream '${stream.id}' of '${c.id}' declares field '${field}' twice: field names must be unique`);
      }
      seen.add(field);
    }
  }
  if (c.kind === 'bolt' && c.inputs.length === 0) {
    add(ErrorCodes.INVALID_TOPOLOGY, `bolt '${c.id}' subscribes to nothing: add inputs: [{ from: '<component>', grouping: shuffle() }]`);
  }
}

function checkInputs(c: ComponentDefinition, byId: Map<string, ComponentDefinition>, problems: SquallError[]): void {
  const add = (code: string, message: string) => problems.push(new SquallError(code, message, { component: c.id }));
  for (const input of c.inputs) {
    const source = byId.get(input.from);
    if (source === undefined) {
      const known = [...byId.keys()].filter((id) => id !== c.id).join(', ') || 'none';
      add(ErrorCodes.UNKNOWN_COMPONENT, `bolt '${c.id}' subscribes to unknown component '${String(input.from)}': declare it before '${c.id}' (known: ${known})`);
      continue;
    }
    const stream = source.outputs[input.stream];
    if (stream === undefined) {
      const known = Object.keys(source.outputs).join(', ') || 'none';
      add(
        ErrorCodes.UNKNOWN_STREAM,
        `bolt '${c.id}' subscribes to stream '${input.stream}' of '${source.id}', which '${source.id}' does not declare: declare it in outputs of '${source.id}' (its streams: ${known})`,
      );
      continue;
    }
    const grouping = input.grouping as { type?: unknown; fields?: unknown; choose?: unknown } | undefined;
    if (grouping === undefined || grouping === null || !GROUPING_TYPES.has(grouping.type as string)) {
      add(ErrorCodes.INVALID_TOPOLOGY, `bolt '${c.id}' subscribes to '${source.id}' with no valid grouping: use shuffle(), fields('f'), all(), global(), direct(), localOrShuffle(), partialKey('f') or custom()`);
      continue;
    }
    if (grouping.type === 'fields' || grouping.type === 'partialKey') {
      const names = Array.isArray(grouping.fields) ? (grouping.fields as string[]) : [];
      if (names.length === 0) add(ErrorCodes.UNDECLARED_FIELD, `bolt '${c.id}' groups '${source.id}' by no field: name at least one of ${stream.fields.join(', ') || '(none declared)'}`);
      for (const name of names) {
        if (!stream.fields.includes(name)) {
          add(
            ErrorCodes.UNDECLARED_FIELD,
            `bolt '${c.id}' groups stream '${stream.id}' of '${source.id}' by field '${name}', which that stream does not declare: use one of ${stream.fields.join(', ') || '(none declared)'}, or declare '${name}'`,
          );
        }
      }
    }
    if (grouping.type === 'custom' && typeof grouping.choose !== 'function') {
      add(ErrorCodes.MISSING_IMPLEMENTATION, `bolt '${c.id}' uses a custom grouping on '${source.id}' without a choose function`);
    }
    if (grouping.type === 'direct' && !stream.direct) {
      add(
        ErrorCodes.NOT_DIRECT_STREAM,
        `bolt '${c.id}' uses a direct grouping on stream '${stream.id}' of '${source.id}', which is not direct: declare it as { fields: [...], direct: true }`,
      );
    }
    if (grouping.type !== 'direct' && stream.direct) {
      add(
        ErrorCodes.NOT_DIRECT_STREAM,
        `bolt '${c.id}' subscribes to direct stream '${stream.id}' of '${source.id}' with a ${String(grouping.type)} grouping: a direct stream needs direct()`,
      );
    }
  }
}

/** Every problem in a topology; empty when it is valid. */
export function validateTopology(topology: TopologyDefinition): SquallError[] {
  const problems: SquallError[] = [];
  if (typeof topology.name !== 'string' || !ID_PATTERN.test(topology.name)) {
    problems.push(new SquallError(ErrorCodes.INVALID_TOPOLOGY, `topology name '${String(topology.name)}' is invalid: use a letter followed by letters, digits, '_', '.' or '-'`));
  }
  const byId = new Map<string, ComponentDefinition>();
  for (const c of topology.components) {
    if (byId.has(c.id)) {
      problems.push(new SquallError(ErrorCodes.DUPLICATE_ID, `component id '${c.id}' is used twice: give each spout and bolt its own id`, { component: c.id }));
    } else {
      byId.set(c.id, c);
    }
    checkComponent(c, problems);
  }
  if (!topology.components.some((c) => c.kind === 'spout')) {
    problems.push(new SquallError(ErrorCodes.INVALID_TOPOLOGY, `topology '${topology.name}' has no spout: add one with .spout(id, { create, outputs })`));
  }
  for (const c of topology.components) checkInputs(c, byId, problems);
  return problems;
}

/** Throws a {@link TopologyValidationError} listing every problem, if there is any. */
export function assertValidTopology(topology: TopologyDefinition): void {
  const problems = validateTopology(topology);
  if (problems.length > 0) throw new TopologyValidationError(topology.name, problems);
}
