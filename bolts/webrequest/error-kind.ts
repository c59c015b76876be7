/**
 * The kind of an error record's reason, for counting errors by reason: a few words that do not
 * vary with the record (`field dt`, `malformed JSON`, `late pageview`), where the reason itself
 * carries values (a time, a count, a file name) and would make a label of unbounded cardinality.
 */
const KINDS: readonly (readonly [RegExp, string | ((m: RegExpExecArray) => string)])[] = [
  [/^field (\w+)/, (m) => `field ${m[1]}`],
  [/^(malformed JSON|not a JSON object)/, (m) => m[1]!],
  [/^event time .* ahead of/, 'event time too far ahead'],
  [/^event time .* older than/, 'event time too old'],
  [/^event time field '(\w+)' is missing/, (m) => `event time field ${m[1]} missing`],
  [/^late pageview/, 'late pageview'],
  [/^\w+ in '[^']*' after \d+ attempts/, 'given up after retries'],
];

const MAX_KIND_CHARS = 40;

/** The kind of `reason`: a known one, or its words before the first colon with digits masked. */
export function errorKindOf(reason: string): string {
  for (const [pattern, kind] of KINDS) {
    const m = pattern.exec(reason);
    if (m !== null) return typeof kind === 'string' ? kind : kind(m);
  }
  const head = reason.split(':', 1)[0]!.replace(/\d+/g, 'N').trim();
  return head.length > MAX_KIND_CHARS ? `${head.slice(0, MAX_KIND_CHARS - 1)}…` : head || 'other';
}
