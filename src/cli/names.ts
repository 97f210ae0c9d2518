/**
 * Names a certificate can carry in subjectAltName: DNS names (RFC 1035 §2.3.1
 * "preferred name syntax", RFC 5280 §4.2.1.6) with an optional leading
 * wildcard label, and IP address literals (IPv4 dotted quad, RFC 4291 IPv6).
 */
import { parseIpAddress } from '../x509/index.js';

const LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Why `name` cannot go into a certificate, or undefined when it can. */
export function nameProblem(name: string): string | undefined {
  if (/^\[.*\]$/.test(name)) return `${JSON.stringify(name)}: write an IPv6 address without brackets (${name.slice(1, -1)})`;
  if (parseIpAddress(name)) return undefined;
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(name)) return `${JSON.stringify(name)}: internationalized names go in their ASCII form (xn--…, RFC 5890)`;
  if (name.length > 253) return `${JSON.stringify(name)}: longer than 253 characters`;
  const labels = name.split('.');
  const rest = labels[0] === '*' ? labels.slice(1) : labels;
  if (labels[0] === '*' && rest.length < 2) return `${JSON.stringify(name)}: a wildcard needs at least two labels after "*." (RFC 6125 §7.2)`;
  for (const l of rest) {
    if (l === '') return `${JSON.stringify(name)}: empty label (leading, trailing or double dot)`;
    if (l.includes('*')) return `${JSON.stringify(name)}: a wildcard is allowed only as the whole leftmost label (*.example.com)`;
    if (!LABEL.test(l)) return `${JSON.stringify(name)}: label ${JSON.stringify(l)} is not letters, digits and inner hyphens of at most 63 characters`;
  }
  // A name ending in a numeric label is an IP address gone wrong (256.1.1.1, 10.0.0), not a host name.
  if (/^[0-9]+$/.test(rest[rest.length - 1]!)) return `${JSON.stringify(name)}: neither a valid IP address nor a DNS name`;
  return undefined;
}
