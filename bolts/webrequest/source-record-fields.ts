/** Reading a source record's partition and lease from a tuple of the spouts' record stream. */
import type { Tuple } from '../../core/index.js';

/** The fields array last seen and where its `lease` is: one lookup per stream, not per tuple. */
let leaseFields: readonly string[] | undefined;
let leaseIndex = -1;

/** The lease a source record was read under (see core's PartitionFence); null for an unleased source. */
export function leaseOf(tuple: Tuple): unknown {
  if (tuple.fields !== leaseFields) {
    leaseFields = tuple.fields;
    leaseIndex = tuple.fields.indexOf('lease');
  }
  return leaseIndex < 0 ? null : tuple.values[leaseIndex];
}

/** A source record's partition, `topic/partition`. */
export function sourceOf(tuple: Tuple): string {
  return `${tuple.get<string>('topic')}/${tuple.get<number>('partition')}`;
}
