/**
 * Everything puretls/web leaves out by default, registered: the server role,
 * the 'webcrypto' provider name and the extra groups. Imported (for its
 * effect) by every entry point except puretls/web: puretls, puretls/core,
 * puretls/node, puretls/bun and the Node adapter.
 */
import './web-server.js';
import './web-webcrypto.js';
import './web-groups.js';
