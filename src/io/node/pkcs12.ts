/**
 * Node's `pfx` option: a PKCS#12 file (RFC 7292) decoded into a certificate
 * chain and a private key. Node has no public PKCS#12 parser, so the
 * structure is read here with puretls's strict DER reader and every
 * cryptographic step is node:crypto's:
 *
 * - integrity: the password MAC (RFC 7292 §4, macData; HMAC keyed by the
 *   §B.2 KDF with ID 3) is checked before anything is decrypted;
 * - shrouded key bags (EncryptedPrivateKeyInfo) are decrypted by
 *   crypto.createPrivateKey({ passphrase }) (PBES2, or PKCS#12 PBE);
 * - encrypted certificate bags (EncryptedData): PBES2 (RFC 8018: PBKDF2 with
 *   AES-CBC or 3DES) or pbeWithSHAAnd3-KeyTripleDES-CBC (§B.2 KDF). RC2
 *   (OpenSSL's -legacy default) needs OpenSSL's legacy provider, which Node
 *   does not load: refused with what to do instead.
 *
 * Public-key integrity/privacy modes (signed/enveloped data) and PBMAC1 are
 * refused. A file whose structure is not DER is refused (OpenSSL writes DER).
 */
import { createDecipheriv, createHash, createHmac, createPrivateKey, pbkdf2Sync, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { PrivateKey } from '../../crypto/provider.js';
import { DerError, DerReader, Tag, ctx, ctxCons, intToNumber } from '../../x509/der.js';
import { decodeCertificate } from '../../x509/certificate.js';
import { publicKeyMatches } from '../../x509/key-match.js';
import { certificatePublicKey, parsePrivateKey } from '../../x509/keys.js';
import { namesEqual } from '../../x509/name.js';
import { OptionError } from '../options.js';

const OIDS = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  pbeSha1TripleDes: '1.2.840.113549.1.12.1.3',
  pbeSha1Rc2_40: '1.2.840.113549.1.12.1.6',
  pbeSha1Rc2_128: '1.2.840.113549.1.12.1.5',
} as const;

/** Digest algorithms (MAC and PBKDF2 PRF), with their HMAC block size for the §B.2 KDF. */
const DIGESTS: Record<string, { name: string; u: number; v: number }> = {
  '1.3.14.3.2.26': { name: 'sha1', u: 20, v: 64 },
  '2.16.840.1.101.3.4.2.1': { name: 'sha256', u: 32, v: 64 },
  '2.16.840.1.101.3.4.2.2': { name: 'sha384', u: 48, v: 128 },
  '2.16.840.1.101.3.4.2.3': { name: 'sha512', u: 64, v: 128 },
};
const PRFS: Record<string, string> = {
  '1.2.840.113549.2.7': 'sha1',
  '1.2.840.113549.2.9': 'sha256',
  '1.2.840.113549.2.10': 'sha384',
  '1.2.840.113549.2.11': 'sha512',
};
const CIPHERS: Record<string, { name: string; keyLength: number }> = {
  '2.16.840.1.101.3.4.1.2': { name: 'aes-128-cbc', keyLength: 16 },
  '2.16.840.1.101.3.4.1.22': { name: 'aes-192-cbc', keyLength: 24 },
  '2.16.840.1.101.3.4.1.42': { name: 'aes-256-cbc', keyLength: 32 },
  '1.2.840.113549.3.7': { name: 'des-ede3-cbc', keyLength: 24 },
};

/** Bounds on what a file may ask of us (iterations are the file's choice). */
const MAX_ITERATIONS = 10_000_000;
const MAX_BAGS = 64;

function fail(message: string): never {
  throw new OptionError(`pfx: ${message}`);
}

/** RFC 7292 §B.1: the password as a BMPString with two trailing zero bytes. */
function bmpPassword(password: string): Buffer {
  const out = Buffer.alloc(password.length * 2 + 2);
  for (let i = 0; i < password.length; i++) out.writeUInt16BE(password.charCodeAt(i), i * 2);
  return out;
}

/** RFC 7292 §B.2: derive `n` bytes of key material (ID 1: key, 2: IV, 3: MAC key). */
export function pkcs12Kdf(digest: { name: string; u: number; v: number }, password: Buffer, salt: Uint8Array, id: number, iterations: number, n: number): Buffer {
  const { u, v } = digest;
  const fill = (src: Uint8Array) => {
    const len = src.length === 0 ? 0 : v * Math.ceil(src.length / v);
    const out = Buffer.alloc(len);
    for (let i = 0; i < len; i++) out[i] = src[i % src.length]!;
    return out;
  };
  const D = Buffer.alloc(v, id);
  const I = Buffer.concat([fill(salt), fill(password)]);
  const out: Buffer[] = [];
  for (let got = 0; got < n; got += u) {
    let A = createHash(digest.name).update(D).update(I).digest();
    for (let r = 1; r < iterations; r++) A = createHash(digest.name).update(A).digest();
    out.push(A);
    const B = Buffer.alloc(v);
    for (let i = 0; i < v; i++) B[i] = A[i % u]!;
    // I_j = (I_j + B + 1) mod 2^(8v), for each v-byte block of I.
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const s = I[j + k]! + B[k]! + carry;
        I[j + k] = s & 0xff;
        carry = s >> 8;
      }
    }
  }
  return Buffer.concat(out).subarray(0, n);
}

function iterationsOf(r: DerReader, what: string): number {
  const n = r.done ? 1 : intToNumber(r.integer(what), what);
  if (n < 1 || n > MAX_ITERATIONS) fail(`${what} ${n} is out of range (1..${MAX_ITERATIONS})`);
  return n;
}

/** RFC 7292 §4: macData over the authSafe contents, keyed from the password. */
function checkMac(macData: DerReader, content: Uint8Array, password: string): void {
  const digestInfo = macData.sequence('DigestInfo');
  const alg = digestInfo.sequence('AlgorithmIdentifier');
  const oid = alg.oid();
  const digest = DIGESTS[oid];
  if (!digest) fail(`MAC algorithm ${oid} is not supported (PBMAC1 neither)`);
  const expected = digestInfo.octetString('digest');
  const salt = macData.octetString('macSalt');
  const iterations = iterationsOf(macData, 'MAC iterations');
  const key = pkcs12Kdf(digest, bmpPassword(password), salt, 3, iterations, digest.u);
  const mac = createHmac(digest.name, key).update(content).digest();
  if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) {
    fail('MAC verification failed (wrong passphrase, or a damaged file)');
  }
}

/** Decrypt an EncryptedContentInfo's content with its algorithm (PBES2 or PKCS#12 3DES PBE). */
function decrypt(alg: DerReader, data: Uint8Array, password: string): Buffer {
  const oid = alg.oid('encryption algorithm');
  if (oid === OIDS.pbes2) {
    const params = alg.sequence('PBES2-params');
    const kdf = params.sequence('keyDerivationFunc');
    if (kdf.oid() !== OIDS.pbkdf2) fail('PBES2 with a key derivation other than PBKDF2 is not supported');
    const p = kdf.sequence('PBKDF2-params');
    const salt = p.octetString('salt');
    const iterations = iterationsOf(p, 'PBKDF2 iterations');
    if (p.peekTag() === Tag.INTEGER) p.integer('keyLength');
    let prf = 'sha1';
    if (!p.done) {
      const prfOid = p.sequence('prf').oid();
      prf = PRFS[prfOid] ?? fail(`PBKDF2 PRF ${prfOid} is not supported`);
    }
    const scheme = params.sequence('encryptionScheme');
    const cipherOid = scheme.oid();
    const cipher = CIPHERS[cipherOid] ?? fail(`PBES2 cipher ${cipherOid} is not supported`);
    const iv = scheme.octetString('IV');
    // RFC 8018 §6.2: the password as octets (OpenSSL: UTF-8).
    const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, cipher.keyLength, prf);
    return decipher(cipher.name, key, iv, data);
  }
  if (oid === OIDS.pbeSha1TripleDes) {
    const p = alg.sequence('pkcs-12PbeParams');
    const salt = p.octetString('salt');
    const iterations = iterationsOf(p, 'iterations');
    const pw = bmpPassword(password);
    const sha1 = DIGESTS['1.3.14.3.2.26']!;
    return decipher('des-ede3-cbc', pkcs12Kdf(sha1, pw, salt, 1, iterations, 24), pkcs12Kdf(sha1, pw, salt, 2, iterations, 8), data);
  }
  if (oid === OIDS.pbeSha1Rc2_40 || oid === OIDS.pbeSha1Rc2_128) {
    fail('RC2 encryption (openssl pkcs12 -legacy) needs OpenSSL\'s legacy provider, which Node does not load; re-export without -legacy (AES-256, the default of OpenSSL 3)');
  }
  return fail(`encryption algorithm ${oid} is not supported`);
}

function decipher(name: string, key: Uint8Array, iv: Uint8Array, data: Uint8Array): Buffer {
  try {
    const d = createDecipheriv(name, key, iv);
    return Buffer.concat([d.update(data), d.final()]);
  } catch (e) {
    return fail(`cannot decrypt (${e instanceof Error ? e.message : String(e)})`);
  }
}

interface Bags {
  keys: KeyObject[];
  certs: Uint8Array[];
}

function readSafeContents(der: Uint8Array, password: string, bags: Bags): void {
  const top = new DerReader(der);
  const list = top.sequence('SafeContents');
  top.expectEnd('SafeContents');
  while (!list.done) {
    if (bags.keys.length + bags.certs.length >= MAX_BAGS) fail(`more than ${MAX_BAGS} bags`);
    const bag = list.sequence('SafeBag');
    const bagId = bag.oid('bagId');
    const value = DerReader.inside(bag.read(ctxCons(0), 'bagValue'));
    // bagAttributes (friendlyName, localKeyId) are not needed: the key is matched to its certificate by public key.
    switch (bagId) {
      case OIDS.keyBag:
        bags.keys.push(createPrivateKey({ key: Buffer.from(value.read(Tag.SEQUENCE, 'PrivateKeyInfo').raw), format: 'der', type: 'pkcs8' }));
        break;
      case OIDS.pkcs8ShroudedKeyBag: {
        const epki = Buffer.from(value.read(Tag.SEQUENCE, 'EncryptedPrivateKeyInfo').raw);
        try {
          bags.keys.push(createPrivateKey({ key: epki, format: 'der', type: 'pkcs8', passphrase: password }));
        } catch (e) {
          fail(`cannot decrypt the private key (${e instanceof Error ? e.message : String(e)})`);
        }
        break;
      }
      case OIDS.certBag: {
        const cb = value.sequence('CertBag');
        const certId = cb.oid('certId');
        if (certId !== OIDS.x509Certificate) fail(`certificate bag of type ${certId} (only X.509 certificates)`);
        bags.certs.push(Uint8Array.from(DerReader.inside(cb.read(ctxCons(0), 'certValue')).octetString('x509Certificate')));
        break;
      }
      default:
        // CRL and secret bags carry nothing a TLS endpoint uses; nested safeContents are not written by any tool we know.
        fail(`bag type ${bagId} is not supported`);
    }
  }
}

/** What a pfx gives: the certificate chain (leaf first) and the private key as PKCS#8 DER. */
export interface PfxContents {
  chain: Uint8Array[];
  key: Uint8Array;
}

/** Decode a PKCS#12 file with `password` (Node's `passphrase`; '' when absent). */
export function decodePfx(pfx: Uint8Array, password = ''): PfxContents {
  const bags: Bags = { keys: [], certs: [] };
  try {
    const top = new DerReader(pfx);
    const p = top.sequence('PFX');
    top.expectEnd('PFX');
    if (intToNumber(p.integer('version')) !== 3) fail('version is not 3');
    const authSafe = p.sequence('authSafe ContentInfo');
    if (authSafe.oid('contentType') !== OIDS.data) fail('only password integrity (id-data authSafe) is supported, not public-key integrity');
    const content = DerReader.inside(authSafe.read(ctxCons(0), 'content')).octetString('authSafe data');
    if (p.done) fail('no MAC: an unprotected file is refused');
    checkMac(p.sequence('MacData'), content, password);
    const safes = new DerReader(content).sequence('AuthenticatedSafe');
    while (!safes.done) {
      const ci = safes.sequence('ContentInfo');
      const type = ci.oid('contentType');
      const body = DerReader.inside(ci.read(ctxCons(0), 'content'));
      if (type === OIDS.data) {
        readSafeContents(body.octetString('data'), password, bags);
      } else if (type === OIDS.encryptedData) {
        const ed = body.sequence('EncryptedData');
        ed.integer('version');
        const eci = ed.sequence('EncryptedContentInfo');
        if (eci.oid('contentType') !== OIDS.data) fail('encrypted content that is not data');
        const alg = eci.sequence('contentEncryptionAlgorithm');
        const encrypted = eci.read(ctx(0), 'encryptedContent').value;
        readSafeContents(decrypt(alg, encrypted, password), password, bags);
      } else {
        fail(`content type ${type} (public-key privacy mode) is not supported`);
      }
    }
  } catch (e) {
    if (e instanceof DerError) fail(`malformed (not DER-encoded PKCS#12): ${e.message}`);
    throw e;
  }
  return assemble(bags);
}

/** The key, its certificate (by public key), then the other certificates in issuer order. */
function assemble(bags: Bags): PfxContents {
  if (bags.keys.length !== 1) fail(bags.keys.length === 0 ? 'no private key' : `${bags.keys.length} private keys (one is supported)`);
  const keyDer = new Uint8Array(bags.keys[0]!.export({ format: 'der', type: 'pkcs8' }));
  const key: PrivateKey = parsePrivateKey(keyDer);
  const leafIndex = bags.certs.findIndex((c) => {
    try {
      return publicKeyMatches(certificatePublicKey(c), key);
    } catch {
      return false;
    }
  });
  if (leafIndex < 0) fail('no certificate matches the private key');
  const rest = bags.certs.filter((_, i) => i !== leafIndex);
  const chain = [bags.certs[leafIndex]!];
  // Follow issuer → subject links up to a self-issued root; certificates that
  // do not link are sent after them, as given (Node adds them all to the chain).
  for (;;) {
    const c = decodeCertificate(chain[chain.length - 1]!);
    if (namesEqual(c.issuer, c.subject)) break;
    const next = rest.findIndex((x) => namesEqual(decodeCertificate(x).subject, c.issuer));
    if (next < 0) break;
    chain.push(rest.splice(next, 1)[0]!);
  }
  chain.push(...rest);
  return { chain, key: keyDer };
}
