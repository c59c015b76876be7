/**
 * `access_method`: `mobile app`, `mobile web` or `desktop`.
 */
import type { AccessMethod } from './schema.js';

const APP_UA = /WikipediaApp/i;
const MOBILE_HOST = /(^(m|zero|wap|mobile)\.)|(\.(m|zero|wap|mobile)\.)/i;

/**
 * `mobile app` when the user agent matches `WikipediaApp`; otherwise `mobile web` when the host
 * has an `m`, `zero`, `wap` or `mobile` label before its last; otherwise `desktop`.
 */
export function accessMethodOf(uriHost: string, userAgent: string): AccessMethod {
  if (APP_UA.test(userAgent)) return 'mobile app';
  if (MOBILE_HOST.test(uriHost)) return 'mobile web';
  return 'desktop';
}
