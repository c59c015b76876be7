/**
 * Test fixtures: a valid input record to vary field by field. Used by the tests beside this file.
 */
import type { WebrequestInput } from './schema.js';

/** A desktop pageview of en.wikipedia.org/wiki/Zürich, with the given fields replaced. */
export function inputRecord(overrides: Partial<WebrequestInput> = {}): WebrequestInput {
  return {
    hostname: 'cp3050.esams.wmnet',
    sequence: 1000,
    dt: '2026-11-22T10:15:30Z',
    time_firstbyte: 0.000123,
    ip: '8.8.8.8',
    cache_status: 'hit-front',
    http_status: '200',
    response_size: 12345,
    http_method: 'GET',
    uri_host: 'en.wikipedia.org',
    uri_path: '/wiki/Z%C3%BCrich',
    uri_query: '-',
    content_type: 'text/html; charset=UTF-8',
    referer: '-',
    x_forwarded_for: '-',
    user_agent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
    accept_language: 'en-US,en;q=0.9',
    x_analytics: 'ns=0;page_id=36787;https=1',
    range: '-',
    x_cache: 'cp3050 hit/3',
    accept: 'text/html',
    ...overrides,
  };
}

/** The Wikipedia Android app's user agent. */
export const APP_UA = 'WikipediaApp/7.4.2.2424 (Android 13; Phone) Google Play';

/** An iPhone Safari user agent. */
export const IPHONE_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
