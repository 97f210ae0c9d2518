/**
 * Certificate parsing (RFC 5280 §4.1, §4.2) on the strict DER reader.
 *
 * `decodeCertificate` throws `DerError` for anything that is not DER or not a
 * certificate at all. Profile violations that DER allows (a zero serial, a
 * critical AKI, …) are collected in `defects`: the path validator rejects a
 * path through a certificate that has any, and says which.
 */
import { DerError, DerReader, Tag, ctx, ctxCons, decodeBitString, decodeTime, intToNumber, type Tlv } from './der.js';
import { decodeGeneralName, decodeGeneralNames, type GeneralName } from './general-name.js';
import { nameIsEmpty, namesEqual, parseName, type Name } from './name.js';
import { OID } from './oids.js';

export interface Extension {
  readonly oid: string;
  readonly critical: boolean;
  readonly value: Uint8Array;
}

export interface GeneralSubtree {
  readonly base: GeneralName;
}

export interface NameConstraints {
  readonly permitted: readonly GeneralSubtree[] | undefined;
  readonly excluded: readonly GeneralSubtree[] | undefined;
}

export interface Certificate {
  readonly der: Uint8Array;
  /** The DER of tbsCertificate: the signed bytes. */
  readonly tbs: Uint8Array;
  /** 0 = v1, 1 = v2, 2 = v3. */
  readonly version: number;
  /** Contents octets of serialNumber (two's complement, minimal). */
  readonly serial: Uint8Array;
  /** AlgorithmIdentifier DER, inside tbsCertificate and outside it. */
  readonly tbsSignatureAlgorithm: Uint8Array;
  readonly signatureAlgorithm: Uint8Array;
  readonly signature: Uint8Array;
  readonly issuer: Name;
  readonly subject: Name;
  /** Milliseconds since the epoch (whole seconds). */
  readonly notBefore: number;
  readonly notAfter: number;
  /** DER of SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
  readonly extensions: readonly Extension[];
  readonly basicConstraints: { readonly ca: boolean; readonly pathLen: number | undefined; readonly critical: boolean } | undefined;
  /** KeyUsage bits (bit 0 = digitalSignature … bit 8 = decipherOnly). */
  readonly keyUsage: { readonly bits: number; readonly critical: boolean } | undefined;
  readonly extKeyUsage: { readonly oids: readonly string[]; readonly critical: boolean } | undefined;
  readonly subjectAltName: { readonly names: readonly GeneralName[]; readonly critical: boolean } | undefined;
  readonly subjectKeyId: Uint8Array | undefined;
  readonly authorityKeyId: { readonly keyId: Uint8Array | undefined; readonly hasIssuer: boolean; readonly hasSerial: boolean; readonly critical: boolean } | undefined;
  readonly nameConstraints: (NameConstraints & { readonly critical: boolean }) | undefined;
  /** OIDs of critical extensions this implementation does not handle. */
  readonly unknownCritical: readonly string[];
  /** RFC 5280 profile violations found while parsing. */
  readonly defects: readonly string[];
  /** Issuer and subject are the same name (RFC 5280 §6.1: "self-issued"). */
  readonly selfIssued: boolean;
}

export const KeyUsageBit = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
  encipherOnly: 7,
  decipherOnly: 8,
} as const;

export function hasKeyUsage(c: Certificate, bit: number): boolean {
  return c.keyUsage !== undefined && (c.keyUsage.bits & (1 << bit)) !== 0;
}

/** Extensions we process; a critical extension outside this set is rejected (RFC 5280 §4.2). */
const KNOWN = new Set<string>([
  OID.subjectKeyIdentifier,
  OID.keyUsage,
  OID.subjectAltName,
  OID.issuerAltName,
  OID.basicConstraints,
  OID.nameConstraints,
  OID.crlDistributionPoints,
  // Like Go's crypto/x509 we accept a critical certificatePolicies without
  // doing policy processing (no initial policy set is ever requested).
  OID.certificatePolicies,
  OID.authorityKeyIdentifier,
  OID.extKeyUsage,
  OID.authorityInfoAccess,
  OID.subjectInfoAccess,
]);

/** Limit on the number of extensions (peer-controlled input). */
const MAX_EXTENSIONS = 64;

export function decodeCertificate(der: Uint8Array): Certificate {
  const top = new DerReader(der);
  const certSeq = top.sequence('Certificate');
  top.expectEnd('Certificate');

  const tbsTlv = certSeq.read(Tag.SEQUENCE, 'tbsCertificate');
  const outerAlg = certSeq.read(Tag.SEQUENCE, 'signatureAlgorithm');
  const signature = certSeq.bitStringOctets('signatureValue');
  certSeq.expectEnd('Certificate');

  const defects: string[] = [];
  const tbs = DerReader.inside(tbsTlv, 2);

  // version [0] EXPLICIT Version DEFAULT v1 — DER omits the default.
  let version = 0;
  const vTlv = tbs.optional(ctxCons(0));
  if (vTlv) {
    const vr = DerReader.inside(vTlv, 3);
    version = vr.smallInt('version');
    vr.expectEnd('version');
    if (version === 0) throw new DerError('version v1 must be omitted in DER');
    if (version > 2) throw new DerError(`unknown certificate version ${version + 1}`);
  }

  const serial = tbs.integer('serialNumber');
  // RFC 5280 §4.1.2.2: positive, at most 20 octets.
  if (serial[0]! & 0x80) defects.push('negative serial number');
  else if (serial.length === 1 && serial[0] === 0) defects.push('zero serial number');
  if (serial.length - (serial[0] === 0 ? 1 : 0) > 20) defects.push('serial number longer than 20 octets');

  const tbsAlg = tbs.read(Tag.SEQUENCE, 'signature');
  const issuer = parseName(tbs.read(Tag.SEQUENCE, 'issuer'));
  const validity = tbs.sequence('validity');
  const notBefore = decodeTime(validity.readAny(), 'notBefore');
  const notAfter = decodeTime(validity.readAny(), 'notAfter');
  validity.expectEnd('validity');
  const subject = parseName(tbs.read(Tag.SEQUENCE, 'subject'));
  const spkiTlv = tbs.read(Tag.SEQUENCE, 'subjectPublicKeyInfo');
  {
    const s = DerReader.inside(spkiTlv, 3);
    s.read(Tag.SEQUENCE, 'algorithm');
    s.read(Tag.BIT_STRING, 'subjectPublicKey');
    s.expectEnd('subjectPublicKeyInfo');
  }
  const iuid = tbs.optional(ctx(1));
  const suid = tbs.optional(ctx(2));
  if ((iuid || suid) && version < 1) throw new DerError('unique identifiers require v2 or v3');
  if (iuid) decodeBitString(iuid.value, 'issuerUniqueID');
  if (suid) decodeBitString(suid.value, 'subjectUniqueID');

  const extensions: Extension[] = [];
  const extTlv = tbs.optional(ctxCons(3));
  tbs.expectEnd('tbsCertificate');
  if (extTlv) {
    if (version !== 2) throw new DerError('extensions require v3');
    const wrap = DerReader.inside(extTlv, 3);
    const list = wrap.sequence('Extensions');
    wrap.expectEnd('extensions');
    while (!list.done) {
      const e = list.sequence('Extension');
      const oid = e.oid('extnID');
      // critical BOOLEAN DEFAULT FALSE. DER omits FALSE; like rustls-webpki and
      // Go we tolerate an explicit FALSE, which real certificates carry.
      let critical = false;
      if (e.peekTag() === Tag.BOOLEAN) critical = e.boolean('critical');
      const value = e.octetString('extnValue');
      e.expectEnd('Extension');
      if (extensions.some((x) => x.oid === oid)) throw new DerError(`duplicate extension ${oid}`); // RFC 5280 §4.2
      extensions.push({ oid, critical, value });
      if (extensions.length > MAX_EXTENSIONS) throw new DerError('too many extensions');
    }
    // Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension
    if (extensions.length === 0) throw new DerError('empty Extensions');
  }

  // RFC 5280 §4.1.1.2: signatureAlgorithm MUST equal tbsCertificate.signature.
  if (!bytesEq(tbsAlg.raw, outerAlg.raw)) defects.push('signatureAlgorithm differs from tbsCertificate.signature');
  // RFC 5280 §4.1.2.4: the issuer field MUST contain a non-empty name.
  if (nameIsEmpty(issuer)) defects.push('empty issuer name');

  const out = {
    der,
    tbs: tbsTlv.raw,
    version,
    serial,
    tbsSignatureAlgorithm: tbsAlg.raw,
    signatureAlgorithm: outerAlg.raw,
    signature,
    issuer,
    subject,
    notBefore,
    notAfter,
    spki: spkiTlv.raw,
    extensions,
    basicConstraints: undefined as Certificate['basicConstraints'],
    keyUsage: undefined as Certificate['keyUsage'],
    extKeyUsage: undefined as Certificate['extKeyUsage'],
    subjectAltName: undefined as Certificate['subjectAltName'],
    subjectKeyId: undefined as Certificate['subjectKeyId'],
    authorityKeyId: undefined as Certificate['authorityKeyId'],
    nameConstraints: undefined as Certificate['nameConstraints'],
    unknownCritical: [] as string[],
    defects,
    selfIssued: namesEqual(issuer, subject),
  };

  for (const ext of extensions) {
    const r = new DerReader(ext.value, 3);
    const what = `extension ${ext.oid}`;
    switch (ext.oid) {
      case OID.basicConstraints: {
        const s = r.sequence('BasicConstraints');
        let ca = false;
        if (s.peekTag() === Tag.BOOLEAN) ca = s.boolean('cA');
        let pathLen: number | undefined;
        if (s.peekTag() === Tag.INTEGER) pathLen = s.smallInt('pathLenConstraint');
        s.expectEnd('BasicConstraints');
        // RFC 5280 §4.2.1.9: pathLenConstraint only when cA is asserted.
        if (pathLen !== undefined && !ca) defects.push('pathLenConstraint without cA');
        out.basicConstraints = { ca, pathLen, critical: ext.critical };
        break;
      }
      case OID.keyUsage: {
        const bs = decodeBitString(r.read(Tag.BIT_STRING, 'KeyUsage').value, 'KeyUsage');
        let bits = 0;
        for (let i = 0; i < Math.min(bs.bytes.length * 8, 16); i++) {
          if ((bs.bytes[i >> 3]! >> (7 - (i & 7))) & 1) bits |= 1 << i;
        }
        // RFC 5280 §4.2.1.3: at least one bit MUST be set.
        if (bits === 0) defects.push('keyUsage with no bits set');
        out.keyUsage = { bits, critical: ext.critical };
        break;
      }
      case OID.extKeyUsage: {
        const s = r.sequence('ExtKeyUsageSyntax');
        const oids: string[] = [];
        while (!s.done) oids.push(s.oid('KeyPurposeId'));
        if (oids.length === 0) throw new DerError('empty ExtKeyUsageSyntax');
        out.extKeyUsage = { oids, critical: ext.critical };
        break;
      }
      case OID.subjectAltName: {
        const names = decodeGeneralNames(r.sequence('SubjectAltName'), 'subjectAltName');
        // RFC 5280 §4.2.1.6: an iPAddress is exactly 4 (IPv4) or 16 (IPv6) octets.
        if (names.some((g) => g.kind === 'ip' && g.bytes.length !== 4 && g.bytes.length !== 16)) defects.push('iPAddress subjectAltName that is not 4 or 16 octets');
        out.subjectAltName = { names, critical: ext.critical };
        break;
      }
      case OID.subjectKeyIdentifier: {
        out.subjectKeyId = r.octetString('SubjectKeyIdentifier');
        // RFC 5280 §4.2.1.2: MUST be non-critical.
        if (ext.critical) defects.push('critical subjectKeyIdentifier');
        break;
      }
      case OID.authorityKeyIdentifier: {
        const s = r.sequence('AuthorityKeyIdentifier');
        const keyId = s.optional(ctx(0))?.value;
        const iss = s.optional(ctxCons(1));
        if (iss) decodeGeneralNames(DerReader.inside(iss, 4), 'authorityCertIssuer');
        const ser = s.optional(ctx(2));
        s.expectEnd('AuthorityKeyIdentifier');
        // RFC 5280 §4.2.1.1: MUST be non-critical.
        if (ext.critical) defects.push('critical authorityKeyIdentifier');
        out.authorityKeyId = { keyId, hasIssuer: !!iss, hasSerial: !!ser, critical: ext.critical };
        break;
      }
      case OID.nameConstraints: {
        const s = r.sequence('NameConstraints');
        const p = s.optional(ctxCons(0));
        const x = s.optional(ctxCons(1));
        s.expectEnd('NameConstraints');
        const permitted = p ? decodeSubtrees(DerReader.inside(p, 4), defects) : undefined;
        const excluded = x ? decodeSubtrees(DerReader.inside(x, 4), defects) : undefined;
        // RFC 5280 §4.2.1.10: "at least one of permittedSubtrees and excludedSubtrees MUST be present".
        if (!permitted && !excluded) defects.push('nameConstraints with neither permitted nor excluded subtrees');
        out.nameConstraints = { permitted, excluded, critical: ext.critical };
        break;
      }
      case OID.authorityInfoAccess:
      case OID.subjectInfoAccess: {
        // SEQUENCE SIZE (1..MAX) OF AccessDescription
        const s = r.sequence('AuthorityInfoAccessSyntax');
        let n = 0;
        while (!s.done) {
          const ad = s.sequence('AccessDescription');
          ad.oid('accessMethod');
          decodeGeneralName(ad.readAny());
          ad.expectEnd('AccessDescription');
          n++;
        }
        if (n === 0) throw new DerError('empty AuthorityInfoAccessSyntax');
        // RFC 5280 §4.2.2.1 / §4.2.2.2: MUST be non-critical.
        if (ext.critical) defects.push('critical information access extension');
        break;
      }
      case OID.policyConstraints:
      case OID.inhibitAnyPolicy:
        // RFC 5280 §4.2.1.11 / §4.2.1.14: conforming CAs MUST mark these critical.
        // Policy processing is not implemented, so the critical form is refused below.
        if (!ext.critical) defects.push(`non-critical ${ext.oid === OID.policyConstraints ? 'policyConstraints' : 'inhibitAnyPolicy'}`);
        else out.unknownCritical.push(ext.oid);
        continue;
      default:
        if (ext.critical && !KNOWN.has(ext.oid)) out.unknownCritical.push(ext.oid);
        continue;
    }
    r.expectEnd(what);
  }
  return out;
}

function decodeSubtrees(r: DerReader, defects: string[]): GeneralSubtree[] {
  const out: GeneralSubtree[] = [];
  while (!r.done) {
    const s = r.sequence('GeneralSubtree');
    const base = decodeGeneralName(s.readAny());
    const min = s.optional(ctx(0));
    const max = s.optional(ctx(1));
    s.expectEnd('GeneralSubtree');
    // RFC 5280 §4.2.1.10: minimum MUST be zero (so, in DER, absent) and maximum MUST be absent.
    if (min) {
      const v = intToNumber(min.value, 'minimum');
      if (v !== 0) defects.push('name constraint with a non-zero minimum');
    }
    if (max) defects.push('name constraint with a maximum');
    out.push({ base });
  }
  if (out.length === 0) throw new DerError('empty GeneralSubtrees');
  return out;
}

function bytesEq(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export type { Tlv };
