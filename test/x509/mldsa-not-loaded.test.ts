/**
 * Without `puretls/web/mldsa` (bare puretls/web does not load it), ML-DSA is
 * refused with a reason, never treated as a bad signature or ignored: an
 * ML-DSA key in a certificate is unsupported_certificate, an ML-DSA
 * certificate signature an unsupported algorithm, and listing an mldsa
 * scheme is a configuration error naming the option. This file must not
 * import src/crypto/mldsa-install.ts or the Node adapter.
 */
import { describe, it, expect } from 'vitest';
import { ml_dsa44 } from '@noble/post-quantum/ml-dsa.js';
import * as asn1js from 'asn1js';
import { parseSpki } from '../../src/x509/keys.js';
import { decodeSignatureAlgorithm, UnsupportedAlgorithm } from '../../src/x509/signature.js';
import { resolveClientConfig } from '../../src/handshake/config.js';
import { mlDsaInstalled } from '../../src/crypto/pure/mldsa.js';
import { OID } from '../../src/x509/oids.js';

const ab = (b: Uint8Array) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
const algId = () => new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: OID.mlDsa44 })] });

describe('ML-DSA in a puretls/web build without puretls/web/mldsa', () => {
  it('is not loaded in this file', () => expect(mlDsaInstalled()).toBe(false));

  it('an ML-DSA SubjectPublicKeyInfo → unsupported_certificate naming puretls/web/mldsa', () => {
    const key = ml_dsa44.keygen(new Uint8Array(32)).publicKey;
    const spki = new Uint8Array(new asn1js.Sequence({ value: [algId(), new asn1js.BitString({ valueHex: ab(key) })] }).toBER(false));
    expect(() => parseSpki(spki)).toThrow(expect.objectContaining({ alert: 'unsupported_certificate', message: expect.stringMatching(/puretls\/web\/mldsa/) }));
  });

  it('an ML-DSA certificate signature algorithm is unsupported', () => {
    expect(() => decodeSignatureAlgorithm(new Uint8Array(algId().toBER(false)))).toThrow(UnsupportedAlgorithm);
  });

  it('signatureSchemes: [mldsa65] is refused, naming the scheme', () => {
    expect(() => resolveClientConfig({ servername: 'x', signatureSchemes: ['mldsa65'] })).toThrow(/signatureSchemes lists mldsa65.*puretls\/web\/mldsa/);
    expect(() => resolveClientConfig({ servername: 'x' })).not.toThrow();
  });
});
