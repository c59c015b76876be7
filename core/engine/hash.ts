/**
 * A stable 32-bit hash of tuple values, identical in every process, for fields and partial-key
 * groupings. Strings hash by UTF-16 code unit (FNV-1a), numbers by value, anything else by JSON.
 */

function fnv1a(text: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h;
}

function hashOne(value: unknown, seed: number): number {
  switch (typeof value) {
    case 'string':
      return fnv1a(value, seed);
    case 'number':
      return Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff
        ? Math.imul(seed ^ value, 0x9e3779b1)
        : fnv1a(String(value), seed);
    case 'boolean':
      return fnv1a(value ? 'true' : 'false', seed);
    case 'bigint':
      return fnv1a(value.toString(), seed);
    default:
      return fnv1a(value === undefined ? 'undefined' : JSON.stringify(value) ?? String(value), seed);
  }
}

/** Hash of the values at `indices`, as an unsigned 32-bit integer. */
export function hashValues(values: readonly unknown[], indices: readonly number[], seed = 0x811c9dc5): number {
  let h = seed;
  for (let i = 0; i < indices.length; i++) {
    h = hashOne(values[indices[i]!], h);
    h ^= h >>> 16;
  }
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
  return (h ^ (h >>> 15)) >>> 0;
}
