/**
 * The number flags of `nimbus generate`, each checked by itself: a bad value is refused with a
 * message that names the flag the user typed (`--malformed`), never the option it feeds
 * (`malformedShare`), what it allows, and what was given.
 */

/** The generator options the flags set (`WebrequestGeneratorOptions`, which the generate command passes on). */
export interface GeneratorFlagOptions {
  seed?: number;
  hosts?: number;
  malformedShare?: number;
  lossShare?: number;
  startMs?: number;
  recordsPerSecond?: number;
}

/** A flag's value could not be used; the message names the flag. */
export class FlagError extends Error {}

interface Flag {
  /** What the flag allows, for the message: `a share from 0 to 1, such as 0.01`. */
  readonly allows: string;
  readonly parse: (raw: string) => number;
}

const number = (raw: string) => (raw.trim() === '' ? Number.NaN : Number(raw));
const wholeNumber = (min: number, max: number, example: string): Flag => ({
  allows: `a whole number from ${min.toLocaleString('en-US')}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max.toLocaleString('en-US')}`}, such as ${example}`,
  parse: (raw) => {
    const n = number(raw);
    return Number.isSafeInteger(n) && n >= min && n <= max ? n : Number.NaN;
  },
});
const share: Flag = { allows: 'a share from 0 to 1, such as 0.01', parse: (raw) => (number(raw) >= 0 && number(raw) <= 1 ? number(raw) : Number.NaN) };

/** Each number flag, by its long name. */
const FLAGS = {
  records: wholeNumber(0, Number.MAX_SAFE_INTEGER, '100000'),
  seed: wholeNumber(0, 2 ** 32 - 1, '1'),
  hosts: wholeNumber(1, 10_000, '8'),
  malformed: share,
  loss: share,
  start: { allows: 'an ISO-8601 time such as 2026-11-22T10:00:00Z', parse: (raw: string) => (/^\d{4}-\d\d-\d\d/.test(raw.trim()) ? Date.parse(raw) : Number.NaN) },
  rate: { allows: 'lines per second of event time, above 0, such as 1000', parse: (raw: string) => (number(raw) > 0 && Number.isFinite(number(raw)) ? number(raw) : Number.NaN) },
} satisfies Record<string, Flag>;

export type GenerateNumberFlag = keyof typeof FLAGS;

/** The value of `--<name>`, or undefined when it was not given; throws a {@link FlagError} naming the flag. */
export function flagValue(name: GenerateNumberFlag, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const flag: Flag = FLAGS[name];
  const value = flag.parse(raw);
  if (Number.isNaN(value)) throw new FlagError(`--${name} must be ${flag.allows}; got '${raw}'`);
  return value;
}

/** The generator's options and the record count from the flags given; throws a {@link FlagError}. */
export function generatorFlags(values: Partial<Record<GenerateNumberFlag, string>>): { records: number; options: GeneratorFlagOptions } {
  const options: GeneratorFlagOptions = {};
  const set = (key: keyof GeneratorFlagOptions, value: number | undefined) => {
    if (value !== undefined) options[key] = value;
  };
  set('seed', flagValue('seed', values.seed));
  set('hosts', flagValue('hosts', values.hosts));
  set('malformedShare', flagValue('malformed', values.malformed));
  set('lossShare', flagValue('loss', values.loss));
  set('startMs', flagValue('start', values.start));
  set('recordsPerSecond', flagValue('rate', values.rate));
  return { records: flagValue('records', values.records) ?? 100_000, options };
}
