/**
 * Server identity checks (RFC 9525, which obsoletes RFC 6125, and RFC 5280
 * §4.2.1.6): subjectAltName dNSName and iPAddress only, never the subject CN;
 * DNS names case-insensitive; a wildcard only as the whole left-most label
 * (`*.example.com`) matching exactly one label, never for IP addresses; IPv4 and
 * IPv6 literals compared as bytes against iPAddress entries only.
 */
import type { GeneralName } from './general-name.js';

/** Parse a dotted-quad IPv4 address strictly (no leading zeros, no short forms). */
export function parseIpv4(s: string): Uint8Array | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    out[i] = v;
  }
  return out;
}

/** Parse an IPv6 address (RFC 4291 §2.2 text forms, including `::` and a trailing IPv4). */
export function parseIpv6(s: string): Uint8Array | undefined {
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  if (!s.includes(':') || s.includes('%')) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const groups = part.split(':');
    const out: number[] = [];
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!;
      if (i === groups.length - 1 && g.includes('.')) {
        const v4 = parseIpv4(g);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
        out.push(parseInt(g, 16));
      }
    }
    return out;
  };
  const head = parseGroups(halves[0]!);
  const tail = halves.length === 2 ? parseGroups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    const fill = 8 - head.length - tail.length;
    if (fill < 1) return undefined;
    groups = [...head, ...new Array<number>(fill).fill(0), ...tail];
  } else {
    groups = head;
  }
  if (groups.length !== 8) return undefined;
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** An IP literal (v4 or v6) as bytes, or undefined when `s` is not one. */
export function parseIpAddress(s: string): Uint8Array | undefined {
  return parseIpv4(s) ?? parseIpv6(s);
}

export function formatIp(b: Uint8Array): string {
  if (b.length === 4) return Array.from(b).join('.');
  if (b.length !== 16) return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i]! << 8) | b[i + 1]!);
  // RFC 5952 §4.2: compress the longest run (≥ 2) of zero groups.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

const LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/;

/**
 * Normalise a reference DNS name (what the client asked for): lower case, one
 * trailing dot dropped. Undefined when it is not a valid DNS name (including
 * any wildcard: a reference identifier never contains one).
 */
export function normaliseReferenceName(name: string): string | undefined {
  let n = name.toLowerCase();
  if (n.endsWith('.')) n = n.slice(0, -1);
  if (n.length === 0 || n.length > 253) return undefined;
  const labels = n.split('.');
  if (!labels.every((l) => LABEL.test(l))) return undefined;
  // An all-numeric last label would make this an IP-looking name, not a DNS name.
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) return undefined;
  return n;
}

/** Whether a presented dNSName is syntactically valid (wildcard allowed only as `*.` prefix). */
export function validPresentedName(p: string): boolean {
  const n = p.toLowerCase();
  if (n.length === 0 || n.length > 253 || n.endsWith('.')) return false;
  const labels = n.split('.');
  const first = labels[0] === '*' ? 1 : 0;
  for (let i = first; i < labels.length; i++) if (!LABEL.test(labels[i]!)) return false;
  return labels.length - first >= 1;
}

/**
 * RFC 9525 §6.3: match a presented dNSName against a normalised reference
 * name. A wildcard must be the entire left-most label, matches exactly one
 * label, and must be followed by at least two labels (`*.com` never matches;
 * browsers refuse such wildcards too).
 */
export function dnsNameMatches(presented: string, reference: string): boolean {
  const p = presented.toLowerCase();
  if (!validPresentedName(p)) return false;
  if (p.startsWith('*.')) {
    const suffix = p.slice(2);
    if (suffix.split('.').length < 2) return false;
    const dot = reference.indexOf('.');
    if (dot <= 0) return false;
    return reference.slice(dot + 1) === suffix;
  }
  return p === reference;
}

/**
 * Whether the certificate's subjectAltName names `name` (a DNS name or an IP
 * literal). Returns a reason string on mismatch.
 */
export function matchServerName(san: readonly GeneralName[] | undefined, name: string): string | undefined {
  if (!san) return 'certificate has no subjectAltName (the subject CN is not used, RFC 9525 §6.3)';
  const ip = parseIpAddress(name);
  if (ip) {
    for (const g of san) if (g.kind === 'ip' && bytesEqual(g.bytes, ip)) return undefined;
    return `no iPAddress subjectAltName matches ${formatIp(ip)}`;
  }
  const ref = normaliseReferenceName(name);
  if (!ref) return `"${name}" is not a valid DNS name or IP address`;
  for (const g of san) if (g.kind === 'dns' && dnsNameMatches(g.value, ref)) return undefined;
  return `no dNSName subjectAltName matches ${ref}`;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
