/**
 * puretls/web/signatures: adds the signature algorithms puretls/web leaves
 * out by default: Ed448 (ed448, 0x0808, and Ed448 certificates) and ML-DSA
 * (the opt-in mldsa44/65/87 schemes of draft-ietf-tls-mldsa, RFC 9881
 * certificates). Import it once:
 *
 *   import 'puretls/web/signatures';
 *
 * Without it a bare puretls/web neither offers nor accepts ed448, refuses
 * Ed448 and ML-DSA certificates as unsupported, and refuses ed448 or an
 * mldsa scheme in `signatureSchemes` with an error naming this import.
 * Every other entry point has them already; ML-DSA is still asked for per
 * connection (`signatureSchemes`).
 */
import '../crypto/signatures-install.js';

export { enableExtraSignatures as enableWebSignatures } from '../crypto/signatures-install.js';
