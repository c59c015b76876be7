/**
 * `x_analytics` → `x_analytics_map`: `ns=0;page_id=12;pageview=1` →
 * `{ ns: '0', page_id: '12', pageview: '1' }`.
 */
import { MISSING } from './schema.js';

/**
 * Split on `;`, then each part on its first `=`. A part without `=` maps its name to an empty
 * string; empty parts are skipped, and the first of repeated keys wins. `-` or an empty string
 * gives an empty map. The key `__proto__` is dropped, so the map is always a plain record.
 */
export function parseXAnalytics(value: string): Record<string, string> {
  const map: Record<string, string> = {};
  if (value === MISSING || value === '') return map;
  let start = 0;
  const len = value.length;
  while (start <= len) {
    let end = value.indexOf(';', start);
    if (end === -1) end = len;
    if (end > start) {
      const eq = value.indexOf('=', start);
      let key: string;
      let val: string;
      if (eq === -1 || eq > end) {
        key = value.slice(start, end);
        val = '';
      } else {
        key = value.slice(start, eq);
        val = value.slice(eq + 1, end);
      }
      if (key !== '' && key !== '__proto__' && !Object.prototype.hasOwnProperty.call(map, key)) map[key] = val;
    }
    start = end + 1;
  }
  return map;
}
