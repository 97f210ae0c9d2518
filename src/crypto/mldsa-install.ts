/**
 * Importing this module installs ML-DSA (FIPS 204, from @noble/post-quantum)
 * for the mldsa44/65/87 signature schemes (draft-ietf-tls-mldsa) and ML-DSA
 * certificates (RFC 9881). puretls/web leaves it out unless the application
 * imports `puretls/web/mldsa` (src/io/web-mldsa.ts); every other entry
 * loads it (src/io/full.ts).
 */
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { installMlDsa } from './pure/mldsa.js';

installMlDsa({ 44: ml_dsa44, 65: ml_dsa65, 87: ml_dsa87 });

export { mlDsaInstalled } from './pure/mldsa.js';
