/**
 * Removes client IPs from text that is about to be kept: a malformed record written to the
 * error output, say. Whole IPv4 and IPv6 addresses are replaced, and so is whatever follows an
 * `ip` or `x_forwarded_for` key in JSON-ish text, because a truncated line may hold part of one.
 */

export const REDACTED_IP = '[ip redacted]';

const IP_FIELD = /("(?:ip|x_forwarded_for)"\s*:\s*")([^"]*)("?)/gi;
const IPV4 = /(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])/g;
// Full IPv6, or any compressed form (it holds "::"); "10:00:00" in a timestamp is neither.
const IPV6 = /(?<![0-9a-f:])(?:(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}|(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4})*)?::(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4})*)?)(?![0-9a-f:])/gi;

/** `text` with every client IP, whole or partial, replaced by {@link REDACTED_IP}. */
export function redactIps(text: string): string {
  return text.replace(IP_FIELD, `$1${REDACTED_IP}$3`).replace(IPV4, REDACTED_IP).replace(IPV6, REDACTED_IP);
}
