/**
 * puretls/cert: making certificates — a development CA, the server and client
 * certificates it issues, and a general builder for test chains. Kept apart
 * from the TLS path: it carries pkijs/asn1js (~360 KB minified), which
 * nothing in puretls, puretls/core, puretls/web or puretls/x509 imports, so
 * bundles that only speak TLS stay small and `import 'puretls'` creates no
 * globals (pkijs registers one per process when loaded). No `node:` imports:
 * keys and signatures come from WebCrypto.
 */
// Issuing Ed448 and ML-DSA certificates needs their implementations (left out of puretls/web by default).
import '../crypto/signatures-install.js';

export {
  createCertificateAuthority,
  issueCertificate,
  buildCertificate,
  generateKey,
  importSigningKey,
  extensionValue,
  keyIdentifier,
  KEY_TYPES,
} from '../x509/issue.js';
export type { KeyType, IssuedCertificate, CaOptions, IssueOptions, CertificateSpec, ExtensionSpec, SigningKey, NameSpec, SanEntry } from '../x509/issue.js';
