/**
 * Node's tls.DEFAULT_MIN_VERSION, DEFAULT_MAX_VERSION, DEFAULT_CIPHERS and
 * DEFAULT_ECDH_CURVE as puretls keeps them: one mutable store, read when
 * connect(), createServer() and secureStream() build their configuration (as
 * Node reads its module's properties at call time). The default export of
 * 'puretls' (and require('puretls')) exposes them as assignable properties
 * (tls-module.ts), so `tls.DEFAULT_MAX_VERSION = 'TLSv1.3'` works as in Node.
 */
import { ALL_CIPHER_SUITES } from '../../crypto/cipher-suites.js';
import { checkVersions, OptionError } from '../options.js';

export const DEFAULT_KEYS = ['DEFAULT_MIN_VERSION', 'DEFAULT_MAX_VERSION', 'DEFAULT_CIPHERS', 'DEFAULT_ECDH_CURVE'] as const;
export type DefaultKey = (typeof DEFAULT_KEYS)[number];

/** The values at load time: TLS 1.3 is both bounds; every suite puretls has; 'auto' (the built-in group order). */
export const INITIAL_DEFAULTS: Readonly<Record<DefaultKey, string>> = Object.freeze({
  DEFAULT_MIN_VERSION: 'TLSv1.3',
  DEFAULT_MAX_VERSION: 'TLSv1.3',
  DEFAULT_CIPHERS: ALL_CIPHER_SUITES.map((s) => s.name).join(':'),
  DEFAULT_ECDH_CURVE: 'auto',
});

/** The current values (assigned through the module object). */
export const tlsDefaults: Record<DefaultKey, string> = { ...INITIAL_DEFAULTS };

/**
 * The options an unset minVersion/maxVersion/ciphers/ecdhCurve takes from the
 * defaults. DEFAULT_CIPHERS and DEFAULT_ECDH_CURVE apply only once changed
 * from their initial values, which stand for the built-in preference (the
 * pure provider puts ChaCha20-Poly1305 first; the group order includes
 * X25519MLKEM768): leaving them alone keeps that preference.
 */
export function applyDefaults<T extends { minVersion?: string; maxVersion?: string; ciphers?: string; cipherSuites?: readonly string[]; ecdhCurve?: string; groups?: readonly string[] }>(o: T): T {
  const out = { ...o };
  const d = tlsDefaults;
  for (const [k, option] of [['DEFAULT_MIN_VERSION', 'minVersion'], ['DEFAULT_MAX_VERSION', 'maxVersion']] as const) {
    if (out[option] !== undefined) continue;
    if (typeof d[k] !== 'string') throw new TypeError(`tls.${k} must be a string (got ${typeof d[k]})`);
    try {
      checkVersions({ [option]: d[k] });
    } catch (e) {
      throw new OptionError(`tls.${k} (the default ${option}): ${e instanceof Error ? e.message : String(e)}`);
    }
    out[option] = d[k];
  }
  if (out.ciphers === undefined && out.cipherSuites === undefined && d.DEFAULT_CIPHERS !== INITIAL_DEFAULTS.DEFAULT_CIPHERS) {
    if (typeof d.DEFAULT_CIPHERS !== 'string') throw new TypeError(`tls.DEFAULT_CIPHERS must be a string (got ${typeof d.DEFAULT_CIPHERS})`);
    out.ciphers = d.DEFAULT_CIPHERS;
  }
  if (out.ecdhCurve === undefined && out.groups === undefined && d.DEFAULT_ECDH_CURVE !== INITIAL_DEFAULTS.DEFAULT_ECDH_CURVE) {
    if (typeof d.DEFAULT_ECDH_CURVE !== 'string') throw new TypeError(`tls.DEFAULT_ECDH_CURVE must be a string (got ${typeof d.DEFAULT_ECDH_CURVE})`);
    out.ecdhCurve = d.DEFAULT_ECDH_CURVE;
  }
  return out;
}
