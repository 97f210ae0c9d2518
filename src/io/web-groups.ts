/**
 * puretls/web/groups: adds the key-exchange groups that puretls/web's pure
 * provider leaves out by default (x448, secp521r1, ffdhe2048, ffdhe3072,
 * ffdhe4096, ffdhe6144, ffdhe8192; no browser offers them) so that the `groups` option can name
 * them. Import it once:
 *
 *   import 'puretls/web/groups';
 *
 * The defaults (X25519MLKEM768, x25519, secp256r1, secp384r1) need no import;
 * every other entry point has all groups already.
 */
import { enableExtraPureGroups } from '../crypto/pure/groups-extra.js';

enableExtraPureGroups();

/** What importing this module does; callable again (idempotent), for code that prefers an explicit call. */
export { enableExtraPureGroups as enableWebGroups };
