/**
 * puretls/x509: certificate parsing, chain validation (RFC 5280 §6, RFC 9525)
 * (certificate issuing is puretls/cert). No `node:` imports: runs wherever the stack runs.
 */
export {
  verifyCertificateChain,
  verifyErrorToTlsError,
  checkTlsSigningKeyUsage,
  signatureCost,
  ALERT_FOR_CODE,
  DEFAULT_MAX_DEPTH,
  DEFAULT_VERIFY_BUDGET,
  MAX_SIGNATURE_CHECKS,
} from './verify.js';
export type { VerifyOptions, VerifyResult, VerifyErrorCode, CertificateInput } from './verify.js';
export { certificatePublicKey, parseSpki, parsePrivateKey } from './keys.js';
export { assertKeyMatchesCertificate, publicKeyMatches, KeyMismatchError } from './key-match.js';
export { pemDecode, pemEncode, pemBlocks } from './pem.js';
export type { PemBlock } from './pem.js';
export { parseCertificate } from './summary.js';
export type { CertificateSummary } from './summary.js';
export { decodeCertificate } from './certificate.js';
export type { Certificate } from './certificate.js';
export { matchServerName, parseIpAddress } from './hostname.js';
