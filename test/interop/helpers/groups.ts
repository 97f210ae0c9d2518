import tls from 'node:tls';

/** Our group name → the name Node's `ecdhCurve` takes. */
export const NODE_GROUP: Record<string, string> = {
  x25519: 'X25519',
  secp256r1: 'prime256v1',
  secp384r1: 'secp384r1',
  X25519MLKEM768: 'X25519MLKEM768',
  SecP256r1MLKEM768: 'SecP256r1MLKEM768',
  SecP384r1MLKEM1024: 'SecP384r1MLKEM1024',
};

/** Whether this Node's OpenSSL supports a group (the ML-KEM hybrids need OpenSSL ≥ 3.5: skipped on this machine's 3.0). */
export function nodeSupportsGroup(group: string): boolean {
  try {
    tls.createSecureContext({ ecdhCurve: NODE_GROUP[group]!, minVersion: 'TLSv1.3' });
    return true;
  } catch {
    return false;
  }
}

/**
 * The suite puretls negotiates by default with a peer that offers all three:
 * the CLI runs on the pure provider, whose AES-GCM is not constant time, so
 * it offers ChaCha20-Poly1305 first and, as a server, picks it whenever the
 * client offers it (src/handshake/config.ts defaultSuites).
 */
export const PURE_DEFAULT_SUITE = 'TLS_CHACHA20_POLY1305_SHA256';

export const SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'] as const;

export const GROUPS = (['x25519', 'secp256r1', 'secp384r1', 'X25519MLKEM768', 'SecP256r1MLKEM768', 'SecP384r1MLKEM1024'] as const).filter(nodeSupportsGroup);
