/**
 * Importing this module installs the signature algorithms puretls/web
 * leaves out by default: Ed448 (RFC 8032, @noble/curves; ~1 kB gzip) and
 * ML-DSA (FIPS 204, @noble/post-quantum; ~4 kB gzip: the opt-in
 * mldsa44/65/87 schemes of draft-ietf-tls-mldsa and RFC 9881 certificates).
 * puretls/web loads it with `import 'puretls/web/signatures'`
 * (src/io/web-signatures.ts); every other entry loads it (src/io/full.ts).
 */
import { ed448 } from '@noble/curves/ed448.js';
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { installEd448 } from './pure/ed448.js';
import { installMlDsa } from './pure/mldsa.js';

installEd448(ed448);
installMlDsa({ 44: ml_dsa44, 65: ml_dsa65, 87: ml_dsa87 });

/** What importing this module does; idempotent. */
export function enableExtraSignatures(): void {
  installEd448(ed448);
  installMlDsa({ 44: ml_dsa44, 65: ml_dsa65, 87: ml_dsa87 });
}
