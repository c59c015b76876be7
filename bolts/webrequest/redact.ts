/**
 * Removes client IPs from text that is about to be kept: a malformed record written to the
 * error output, say. Whole IPv4 and IPv6 addresses are replaced, and so is whatever follows an
 * `ip` or `x_forwarded_for` key in JSON-ish text, because a truncated line may hold part of one.
 *
 * Inside a `user_agent` value, a dotted quad that is a product's version (`Chrome/116.0.0.0`,
 * `Version/4.0.4.1`: letters, a slash, then the number) is a version, not an address, and stays;
 * any other address there is replaced like everywhere else.
 */

export const REDACTED_IP = '[ip redacted]';

const IP_FIELD = /("(?:ip|x_forwarded_for)"\s*:\s*")([^"]*)("?)/gi;
const IPV4_SOURCE = String.raw`(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])`;
// Full IPv6, or any compressed form (it holds "::"); "10:00:00" in a timestamp is neither.
const IPV6_SOURCE = String.raw`(?<![0-9a-f:])(?:(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}|(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4})*)?::(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4})*)?)(?![0-9a-f:])`;
/** A user agent's value (to its closing quote, or the end of a cut line), or an IPv4 address anywhere else. */
const UA_OR_IPV4 = new RegExp(String.raw`("user_agent"\s*:\s*")((?:[^"\\]|\\.)*)|${IPV4_SOURCE}`, 'gi');
/** An IPv4 address in a user agent that is not a product's version. */
const UA_IPV4 = new RegExp(String.raw`(?<![A-Za-z][\w.+-]*/)${IPV4_SOURCE}`, 'g');
const IPV6 = new RegExp(IPV6_SOURCE, 'gi');

/** `text` with every client IP, whole or partial, replaced by {@link REDACTED_IP}. */
export function redactIps(text: string): string {
  return text
    .replace(IP_FIELD, `$1${REDACTED_IP}$3`)
    .replace(UA_OR_IPV4, (_match: string, key: string | undefined, agent: string | undefined) => (key === undefined ? REDACTED_IP : key + agent!.replace(UA_IPV4, REDACTED_IP)))
    .replace(IPV6, REDACTED_IP);
}
