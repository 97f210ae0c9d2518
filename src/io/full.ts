/**
 * Everything puretls/web leaves out by default, registered: the server role,
 * the 'webcrypto' provider name, the extra groups, Ed448 and ML-DSA. Imported (for its
 * effect) by every entry point except puretls/web: puretls, puretls/core,
 * puretls/node, puretls/bun and the Node adapter.
 */
import './web-server.js';
import './web-webcrypto.js';
import './web-groups.js';
import './web-signatures.js';
