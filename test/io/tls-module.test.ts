/**
 * The default export of 'puretls' is a plain object shaped like Node's `tls`
 * module (issue 10): extensible, every named export on it, and
 * DEFAULT_MIN_VERSION / DEFAULT_MAX_VERSION / DEFAULT_CIPHERS /
 * DEFAULT_ECDH_CURVE assignable and read by connect()/createServer() when
 * they are called, as Node reads its own. (require('puretls') is the same
 * object: test/package/pack.test.ts checks it from an installed tarball.)
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import tls, * as named from '../../src/index.js';
import type { TlsSocket } from '../../src/io/node.js';
import { INITIAL_DEFAULTS } from '../../src/io/node/defaults.js';
import { closeServer, listen, once } from '../interop/helpers/net.js';
import { makeTestPki, type TestPki } from '../interop/helpers/pki.js';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki({ keyTypes: ['ecdsa-p256'] });
});
afterAll(() => pki?.cleanup());
afterEach(() => {
  Object.assign(tls, INITIAL_DEFAULTS);
});

/** A handshake between a server made now and a client made now: what was negotiated. */
async function negotiate(): Promise<{ suite: string | undefined; group: string | undefined }> {
  const server = tls.createServer({ cert: pki.server['ecdsa-p256'].cert, key: pki.server['ecdsa-p256'].key }, (s) => s.end());
  const port = await listen(server);
  try {
    const c: TlsSocket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert });
    await once(c, 'secureConnect');
    const r = { suite: c.getCipher()?.name, group: c.group };
    c.destroy();
    return r;
  } finally {
    await closeServer(server);
  }
}

describe("the default export is shaped like Node's tls module", () => {
  it('a plain extensible object carrying every named export', () => {
    expect(Object.isFrozen(tls)).toBe(false);
    expect(Object.isExtensible(tls)).toBe(true);
    expect(Object.getPrototypeOf(tls)).toBe(Object.prototype);
    for (const k of Object.keys(named)) if (k !== 'default' && !k.startsWith('DEFAULT_')) expect((tls as Record<string, unknown>)[k], k).toBe((named as Record<string, unknown>)[k]);
    expect(tls.connect).toBe(named.connect);
    (tls as Record<string, unknown>).extra = 1; // assignable like any object
    delete (tls as Record<string, unknown>).extra;
  });

  it('DEFAULT_* start at what puretls speaks and are assignable', () => {
    expect(tls.DEFAULT_MIN_VERSION).toBe('TLSv1.3');
    expect(tls.DEFAULT_MAX_VERSION).toBe('TLSv1.3');
    expect(tls.DEFAULT_ECDH_CURVE).toBe('auto');
    expect(tls.DEFAULT_CIPHERS.split(':').sort()).toEqual(['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']);
    tls.DEFAULT_MAX_VERSION = 'TLSv1.3';
    tls.DEFAULT_MIN_VERSION = 'TLSv1.2';
    expect(tls.DEFAULT_MIN_VERSION).toBe('TLSv1.2');
  });

  it('DEFAULT_MAX_VERSION below TLSv1.3 refuses connect and createServer, naming it', () => {
    tls.DEFAULT_MAX_VERSION = 'TLSv1.2';
    expect(() => tls.connect({ host: '127.0.0.1', port: 1 })).toThrow(/tls\.DEFAULT_MAX_VERSION/);
    expect(() => tls.createServer({ cert: pki.server['ecdsa-p256'].cert, key: pki.server['ecdsa-p256'].key })).toThrow(/tls\.DEFAULT_MAX_VERSION/);
    // An explicit maxVersion wins over the default, as in Node.
    const s = tls.createServer({ cert: pki.server['ecdsa-p256'].cert, key: pki.server['ecdsa-p256'].key, maxVersion: 'TLSv1.3' });
    s.close();
    tls.DEFAULT_MIN_VERSION = 'TLSv9';
    tls.DEFAULT_MAX_VERSION = 'TLSv1.3';
    expect(() => tls.connect({ host: '127.0.0.1', port: 1 })).toThrow(/tls\.DEFAULT_MIN_VERSION/);
  });

  it('DEFAULT_CIPHERS and DEFAULT_ECDH_CURVE decide what is negotiated, read at call time', async () => {
    const before = await negotiate();
    expect(before.suite).not.toBe('TLS_AES_256_GCM_SHA384');
    tls.DEFAULT_CIPHERS = 'ECDHE-RSA-AES128-GCM-SHA256:TLS_AES_256_GCM_SHA384'; // TLS 1.2 names ignored, as for `ciphers`
    tls.DEFAULT_ECDH_CURVE = 'secp384r1';
    expect(await negotiate()).toEqual({ suite: 'TLS_AES_256_GCM_SHA384', group: 'secp384r1' });
    tls.DEFAULT_CIPHERS = INITIAL_DEFAULTS.DEFAULT_CIPHERS;
    tls.DEFAULT_ECDH_CURVE = 'auto';
    expect(await negotiate()).toEqual(before);
  });

  it('a DEFAULT_CIPHERS without a TLS 1.3 suite is refused when used', () => {
    tls.DEFAULT_CIPHERS = 'ECDHE-RSA-AES128-GCM-SHA256';
    expect(() => tls.connect({ host: '127.0.0.1', port: 1 })).toThrow(/ciphers/);
  });
});
