/** GeneralName (RFC 5280 §4.2.1.6) decoding. */
import { DerError, DerReader, Tag, ascii, decodeOid, type Tlv } from './der.js';
import { parseName, type Name } from './name.js';

export type GeneralName =
  | { readonly kind: 'dns'; readonly value: string }
  | { readonly kind: 'ip'; readonly bytes: Uint8Array }
  | { readonly kind: 'email'; readonly value: string }
  | { readonly kind: 'uri'; readonly value: string }
  | { readonly kind: 'dn'; readonly name: Name }
  | { readonly kind: 'rid'; readonly oid: string }
  | { readonly kind: 'other'; readonly tag: number };

function ia5(v: Uint8Array, what: string): string {
  for (const b of v) if (b > 0x7f) throw new DerError(`${what}: IA5String with a non-ASCII character`);
  return ascii(v);
}

export function decodeGeneralName(t: Tlv): GeneralName {
  switch (t.tag) {
    case 0x81:
      return { kind: 'email', value: ia5(t.value, 'rfc822Name') };
    case 0x82:
      return { kind: 'dns', value: ia5(t.value, 'dNSName') };
    case 0x86:
      return { kind: 'uri', value: ia5(t.value, 'uniformResourceIdentifier') };
    case 0x87:
      return { kind: 'ip', bytes: t.value };
    case 0x88:
      return { kind: 'rid', oid: decodeOid(t.value) };
    case 0xa4: {
      // directoryName [4] is EXPLICIT (Name is a CHOICE).
      const r = DerReader.inside(t);
      const inner = r.read(Tag.SEQUENCE, 'directoryName');
      r.expectEnd('directoryName');
      return { kind: 'dn', name: parseName(inner) };
    }
    case 0xa0: // otherName
    case 0xa3: // x400Address
    case 0xa5: // ediPartyName
      return { kind: 'other', tag: t.tag };
    default:
      throw new DerError(`GeneralName: unexpected tag 0x${t.tag.toString(16)}`);
  }
}

/** GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName */
export function decodeGeneralNames(r: DerReader, what: string): GeneralName[] {
  const out: GeneralName[] = [];
  while (!r.done) out.push(decodeGeneralName(r.readAny()));
  if (out.length === 0) throw new DerError(`${what}: empty GeneralNames`);
  return out;
}
