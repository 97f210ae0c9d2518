/**
 * puretls/web/mldsa: adds ML-DSA (FIPS 204; the opt-in mldsa44/65/87
 * signature schemes of draft-ietf-tls-mldsa and RFC 9881 certificates),
 * which puretls/web leaves out by default (~4 kB gzip). Import it once:
 *
 *   import 'puretls/web/mldsa';
 *
 * Every other entry point has it already. It still has to be asked for per
 * connection: list an mldsa scheme in `signatureSchemes`.
 */
import '../crypto/mldsa-install.js';

export { mlDsaInstalled } from '../crypto/pure/mldsa.js';
