/**
 * X.501 Name (RFC 5280 §4.1.2.4): parsing, comparison and display.
 *
 * Comparison (RFC 5280 §7.1): attribute values of string types are compared
 * after decoding, trimming, collapsing inner whitespace and case folding, so a
 * PrintableString issuer matches a UTF8String subject with the same text. Go
 * and rustls-webpki compare raw bytes for chaining; the normalised form
 * accepts strictly more of the names RFC 5280 says are equal, and the
 * signature check decides in the end anyway.
 */
import { DerError, DerReader, Tag, ascii, decodeOid, type Tlv } from './der.js';
import { ATTRIBUTE_NAMES } from './oids.js';

export interface Attribute {
  readonly type: string;
  readonly tag: number;
  readonly value: Uint8Array;
  /** Decoded text for string types, undefined otherwise. */
  readonly text: string | undefined;
}

export interface Name {
  /** The DER of the Name (the whole SEQUENCE). */
  readonly raw: Uint8Array;
  readonly rdns: readonly (readonly Attribute[])[];
  /** Canonical form: equal keys ⇔ equal names under RFC 5280 §7.1 matching. */
  readonly key: string;
}

const utf8Fatal = new TextDecoder('utf-8', { fatal: true });

function decodeString(tag: number, v: Uint8Array): string | undefined {
  switch (tag) {
    case Tag.UTF8String:
      try {
        return utf8Fatal.decode(v);
      } catch {
        throw new DerError('invalid UTF8String');
      }
    case Tag.PrintableString:
    case Tag.IA5String:
    case Tag.VisibleString:
      for (const b of v) if (b > 0x7f) throw new DerError('non-ASCII character in an ASCII string type');
      return ascii(v);
    case Tag.TeletexString:
      return ascii(v);
    case Tag.BMPString: {
      if (v.length % 2) throw new DerError('invalid BMPString');
      let s = '';
      for (let i = 0; i < v.length; i += 2) s += String.fromCharCode((v[i]! << 8) | v[i + 1]!);
      return s;
    }
    case Tag.UniversalString: {
      if (v.length % 4) throw new DerError('invalid UniversalString');
      let s = '';
      for (let i = 0; i < v.length; i += 4) {
        const cp = ((v[i]! << 24) | (v[i + 1]! << 16) | (v[i + 2]! << 8) | v[i + 3]!) >>> 0;
        if (cp > 0x10ffff) throw new DerError('invalid UniversalString');
        s += String.fromCodePoint(cp);
      }
      return s;
    }
    default:
      return undefined;
  }
}

function hex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

/** RFC 5280 §7.1 / RFC 4518 (simplified): trim, collapse spaces, case fold. */
function normalise(s: string): string {
  return s.trim().replace(/\s+/g, ' ').toLowerCase();
}

export function parseName(t: Tlv): Name {
  if (t.tag !== Tag.SEQUENCE) throw new DerError('Name: expected SEQUENCE');
  const r = DerReader.inside(t, 2);
  const rdns: Attribute[][] = [];
  const keyParts: string[] = [];
  while (!r.done) {
    // RelativeDistinguishedName ::= SET SIZE (1..MAX) OF AttributeTypeAndValue
    const set = r.sequence('RelativeDistinguishedName', Tag.SET);
    const attrs: Attribute[] = [];
    while (!set.done) {
      const atv = set.sequence('AttributeTypeAndValue');
      const type = atv.oid('attribute type');
      const v = atv.readAny();
      atv.expectEnd('AttributeTypeAndValue');
      const text = decodeString(v.tag, v.value);
      attrs.push({ type, tag: v.tag, value: v.value, text });
    }
    if (attrs.length === 0) throw new DerError('empty RelativeDistinguishedName');
    rdns.push(attrs);
    keyParts.push(
      attrs
        .map((a) => `${a.type}=${a.text !== undefined ? 's:' + normalise(a.text) : 'x:' + a.tag + ':' + hex(a.value)}`)
        .sort()
        .join('+'),
    );
  }
  return { raw: t.raw, rdns, key: JSON.stringify(keyParts) };
}

export function parseNameBytes(der: Uint8Array): Name {
  const r = new DerReader(der);
  const t = r.readAny();
  r.expectEnd('Name');
  return parseName(t);
}

export function nameIsEmpty(n: Name): boolean {
  return n.rdns.length === 0;
}

export function namesEqual(a: Name, b: Name): boolean {
  return a.key === b.key;
}

/** The RDN keys, for prefix (subtree) comparison in name constraints. */
export function rdnKeys(n: Name): string[] {
  return JSON.parse(n.key) as string[];
}

/** Values of one attribute type (e.g. all CNs), as text. */
export function attributeValues(n: Name, type: string): string[] {
  const out: string[] = [];
  for (const rdn of n.rdns) for (const a of rdn) if (a.type === type && a.text !== undefined) out.push(a.text);
  return out;
}

function escapeValue(s: string): string {
  return s.replace(/([,+"\\<>;=])/g, '\\$1').replace(/^([ #])/, '\\$1').replace(/ $/, '\\ ');
}

/** RFC 4514-style display, most-significant RDN last (e.g. `CN=leaf, O=Example`). */
export function nameToString(n: Name): string {
  return [...n.rdns]
    .reverse()
    .map((rdn) =>
      rdn
        .map((a) => `${ATTRIBUTE_NAMES[a.type] ?? a.type}=${a.text !== undefined ? escapeValue(a.text) : '#' + hex(a.value)}`)
        .join('+'),
    )
    .join(', ');
}

export { decodeOid };
