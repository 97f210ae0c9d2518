/**
 * The object `import tls from 'puretls'` and `require('puretls')` give: a
 * plain, extensible object shaped like Node's `tls` module (every named
 * export of the entry, as properties), where DEFAULT_MIN_VERSION,
 * DEFAULT_MAX_VERSION, DEFAULT_CIPHERS and DEFAULT_ECDH_CURVE are assignable
 * and read by connect()/createServer() at call time (defaults.ts). An ES
 * module namespace cannot be that: its properties are read-only.
 */
import { DEFAULT_KEYS, tlsDefaults, type DefaultKey } from './defaults.js';

/** The entry's exports, with the four defaults as writable strings. */
export type TlsModule<Api> = Omit<Api, 'default' | DefaultKey> & { [K in DefaultKey]: string };

/**
 * Copies the namespace's exports into a fresh object. Reflect.ownKeys, not
 * Object.keys: the entry passes its own namespace, whose `default` binding is
 * not initialised yet (reading it would throw).
 */
export function tlsModuleObject<Api extends object>(api: Api): TlsModule<Api> {
  const out: Record<string, unknown> = {};
  for (const k of Reflect.ownKeys(api)) {
    if (typeof k !== 'string' || k === 'default' || (DEFAULT_KEYS as readonly string[]).includes(k)) continue;
    out[k] = (api as Record<string, unknown>)[k];
  }
  for (const k of DEFAULT_KEYS) {
    Object.defineProperty(out, k, {
      enumerable: true,
      configurable: true,
      get: () => tlsDefaults[k],
      set: (v: string) => {
        tlsDefaults[k] = v;
      },
    });
  }
  return out as TlsModule<Api>;
}
