/**
 * `puretls/roots`: the Mozilla root store as data, for runtimes without a
 * system or bundled store (browsers' JS, Workers, Deno without --cert). On
 * Node, Node's own `tls.rootCertificates` is the default instead.
 *
 *   import { mozillaRoots } from 'puretls/roots';
 *   connect({ host, ca: mozillaRoots });
 */
export { mozillaRoots, mozillaRootsGenerated } from './mozilla.js';
