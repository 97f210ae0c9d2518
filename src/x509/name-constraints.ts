/**
 * Name constraints (RFC 5280 §4.2.1.10, §6.1.3 (b)-(c), §6.1.4 (g)).
 *
 * Applied to the subject and subjectAltName of every certificate below the
 * constraining CA (self-issued intermediates excepted, the leaf never).
 * Supported forms: dNSName, iPAddress, directoryName, rfc822Name and URI.
 * A presented name of a form for which the CA has constraints we cannot
 * evaluate is rejected. Malformed constraints (a wildcard or leading dot in a
 * dNSName, an iPAddress that is not address+contiguous mask) reject the CA.
 *
 * Wildcard SANs (CVE-2025-61727): `*.example.com` stands for every name one
 * label below example.com, so it is excluded when any of those names could be,
 * and permitted only when all of them are.
 */
import type { Certificate, GeneralSubtree, NameConstraints } from './certificate.js';
import type { GeneralName } from './general-name.js';
import { attributeValues, nameIsEmpty, rdnKeys } from './name.js';
import { OID } from './oids.js';
import { formatIp, normaliseReferenceName, parseIpAddress, validPresentedName } from './hostname.js';

const DNS_CONSTRAINT = /^([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/** A reason when a constraint itself is malformed. */
export function constraintSyntaxError(nc: NameConstraints): string | undefined {
  for (const list of [nc.permitted, nc.excluded]) {
    for (const { base } of list ?? []) {
      switch (base.kind) {
        case 'dns': {
          const v = base.value.toLowerCase();
          if (v !== '' && !DNS_CONSTRAINT.test(v)) return `malformed dNSName constraint "${base.value}"`;
          break;
        }
        case 'ip': {
          const b = base.bytes;
          if (b.length !== 8 && b.length !== 32) return 'iPAddress constraint is not an address and mask';
          const mask = b.subarray(b.length / 2);
          let zero = false;
          for (const byte of mask) {
            for (let bit = 7; bit >= 0; bit--) {
              const one = (byte >> bit) & 1;
              if (one && zero) return 'iPAddress constraint with a non-contiguous mask';
              if (!one) zero = true;
            }
          }
          break;
        }
        case 'email': {
          const v = base.value;
          const at = v.split('@').length - 1;
          if (at > 1 || (at === 1 && (v.startsWith('@') || v.endsWith('@')))) return `malformed rfc822Name constraint "${v}"`;
          const domain = at === 1 ? v.slice(v.indexOf('@') + 1) : v.replace(/^\./, '');
          if (domain !== '' && !DNS_CONSTRAINT.test(domain.toLowerCase())) return `malformed rfc822Name constraint "${v}"`;
          break;
        }
        default:
          break;
      }
    }
  }
  return undefined;
}

function dnsWithin(name: string, c: string): boolean {
  return c === '' || name === c || name.endsWith('.' + c);
}

/** Whether the presented name `g` lies inside `base` (same form assumed). */
function within(g: GeneralName, base: GeneralName, mode: 'permitted' | 'excluded'): boolean {
  if (g.kind === 'dns' && base.kind === 'dns') {
    const c = base.value.toLowerCase();
    const n = g.value.toLowerCase();
    if (n.startsWith('*.')) {
      const suffix = n.slice(2);
      if (mode === 'permitted') return dnsWithin(suffix, c);
      // Excluded if some name `label.suffix` is inside c.
      return dnsWithin(suffix, c) || (c.endsWith('.' + suffix) && !c.slice(0, -suffix.length - 1).includes('.'));
    }
    return dnsWithin(n, c);
  }
  if (g.kind === 'ip' && base.kind === 'ip') {
    const a = g.bytes;
    const b = base.bytes;
    if (b.length !== a.length * 2) return false;
    for (let i = 0; i < a.length; i++) {
      const m = b[a.length + i]!;
      if ((a[i]! & m) !== (b[i]! & m)) return false;
    }
    return true;
  }
  if (g.kind === 'dn' && base.kind === 'dn') {
    const n = rdnKeys(g.name);
    const c = rdnKeys(base.name);
    if (c.length > n.length) return false;
    for (let i = 0; i < c.length; i++) if (c[i] !== n[i]) return false;
    return true;
  }
  if (g.kind === 'email' && base.kind === 'email') {
    const at = g.value.lastIndexOf('@');
    const local = g.value.slice(0, at);
    const domain = g.value.slice(at + 1).toLowerCase();
    const c = base.value;
    if (c.includes('@')) {
      const ci = c.lastIndexOf('@');
      return local === c.slice(0, ci) && domain === c.slice(ci + 1).toLowerCase();
    }
    const cl = c.toLowerCase();
    if (cl.startsWith('.')) return domain.endsWith(cl);
    return domain === cl;
  }
  if (g.kind === 'uri' && base.kind === 'uri') {
    const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?([^:/?#[\]]+)/i.exec(g.value);
    if (!m) return false;
    const host = m[1]!.toLowerCase();
    const c = base.value.toLowerCase();
    if (c.startsWith('.')) return host.endsWith(c);
    return host === c;
  }
  return false;
}

function describe(g: GeneralName): string {
  switch (g.kind) {
    case 'dns':
      return `dNSName ${g.value}`;
    case 'ip':
      return `iPAddress ${formatIp(g.bytes)}`;
    case 'email':
      return `rfc822Name ${g.value}`;
    case 'uri':
      return `URI ${g.value}`;
    case 'dn':
      return 'directoryName';
    default:
      return 'name';
  }
}

function checkName(g: GeneralName, nc: NameConstraints): string | undefined {
  const same = (s: GeneralSubtree) => s.base.kind === g.kind;
  const excluded = (nc.excluded ?? []).filter(same);
  const permitted = (nc.permitted ?? []).filter(same);
  if (g.kind === 'rid' || g.kind === 'other') {
    if (excluded.length || permitted.length) return `${describe(g)} of a form whose constraints are not supported`;
    return undefined;
  }
  if (g.kind === 'dns' && !validPresentedName(g.value)) {
    if (excluded.length || permitted.length) return `malformed ${describe(g)} under DNS name constraints`;
    return undefined;
  }
  if (g.kind === 'email' && g.value.split('@').length !== 2) {
    if (excluded.length || permitted.length) return `malformed ${describe(g)} under rfc822Name constraints`;
    return undefined;
  }
  for (const s of excluded) if (within(g, s.base, 'excluded')) return `${describe(g)} is in an excluded subtree`;
  if (permitted.length && !permitted.some((s) => within(g, s.base, 'permitted'))) return `${describe(g)} is outside the permitted subtrees`;
  return undefined;
}

/** The names of `cert` that name constraints apply to. */
export function constrainedNames(cert: Certificate, isLeaf: boolean): GeneralName[] {
  const out: GeneralName[] = [];
  // §4.2.1.10: directoryName constraints apply to a non-empty subject.
  if (!nameIsEmpty(cert.subject)) out.push({ kind: 'dn', name: cert.subject });
  // §4.2.1.10: rfc822Name constraints apply to emailAddress attributes in the subject.
  for (const e of attributeValues(cert.subject, OID.emailAddress)) out.push({ kind: 'email', value: e });
  if (cert.subjectAltName) {
    out.push(...cert.subjectAltName.names);
  } else if (isLeaf) {
    // Like rustls-webpki: without a SAN, a subject CN that looks like a host
    // name is checked against DNS (or IP) constraints, so legacy software that
    // still trusts CNs cannot be used to escape the constraint.
    for (const cn of attributeValues(cert.subject, OID.commonName)) {
      const ip = parseIpAddress(cn);
      if (ip) out.push({ kind: 'ip', bytes: ip });
      else if (normaliseReferenceName(cn)) out.push({ kind: 'dns', value: cn });
    }
  }
  return out;
}

/** Returned by checkNameConstraints when the comparison budget runs out. */
export const NAME_CONSTRAINT_BUDGET_EXCEEDED = 'name-constraint comparison budget exceeded';

/**
 * A reason when `cert` violates `nc`, else undefined. `budget.left` is the
 * number of (name, subtree) comparisons still allowed; it is decremented, and
 * NAME_CONSTRAINT_BUDGET_EXCEEDED is returned when it runs out (the quadratic
 * blow-up of many names against many constraints, x509-limbo pathological::nc-dos).
 */
export function checkNameConstraints(cert: Certificate, isLeaf: boolean, nc: NameConstraints, budget: { left: number } = { left: Infinity }): string | undefined {
  const subtrees = (nc.permitted?.length ?? 0) + (nc.excluded?.length ?? 0);
  for (const g of constrainedNames(cert, isLeaf)) {
    budget.left -= subtrees;
    if (budget.left < 0) return NAME_CONSTRAINT_BUDGET_EXCEEDED;
    const r = checkName(g, nc);
    if (r) return r;
  }
  return undefined;
}
