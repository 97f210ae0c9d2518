/** Certificates for connection tests, made with src/x509 (WebCrypto keys). */
import type { CertifiedKey } from '../../src/connection/types.js';
import { createCertificateAuthority, issueCertificate, type KeyType } from '../../src/cert/index.js';
import { pemDecode } from '../../src/x509/index.js';

export interface Pki {
  caPem: string;
  caDer: Uint8Array;
  server: Record<KeyType, CertifiedKey>;
  other: CertifiedKey;
  client: CertifiedKey;
}

let cached: Promise<Pki> | undefined;

export function pki(): Promise<Pki> {
  cached ??= (async () => {
    const ca = await createCertificateAuthority({ name: 'test CA', keyType: 'ecdsa-p256' });
    const issue = async (names: string[], keyType: KeyType, client = false): Promise<CertifiedKey> => {
      const c = await issueCertificate({ ca, names, keyType, client });
      return { chain: [c.certDer], key: c.key };
    };
    const server = {
      'ecdsa-p256': await issue(['localhost', '127.0.0.1'], 'ecdsa-p256'),
      'ecdsa-p384': await issue(['localhost'], 'ecdsa-p384'),
      ed25519: await issue(['localhost'], 'ed25519'),
      rsa2048: await issue(['localhost'], 'rsa2048'),
    } as Record<KeyType, CertifiedKey>;
    return {
      caPem: ca.certPem,
      caDer: pemDecode(ca.certPem, 'CERTIFICATE')[0]!,
      server,
      other: await issue(['other.example'], 'ecdsa-p256'),
      client: await issue(['client one'], 'ecdsa-p256', true),
    };
  })();
  return cached;
}
