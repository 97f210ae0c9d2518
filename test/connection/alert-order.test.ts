/**
 * RFC 8446 §6.2: a fatal alert is sent before the connection closes. The
 * adapters close the transport on `onError`, so the alert record must have
 * been handed to `onTransmit` by then — also when the AEAD is asynchronous
 * (WebCrypto) and the alert is sealed after `fail()` returns; `drained()`
 * settles only then too.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Connection } from '../../src/connection/connection.js';
import type { ClientConfig, ConnectionHandlers } from '../../src/connection/types.js';
import { pureProvider } from '../../src/crypto/pure/index.js';
import { webCryptoProvider } from '../../src/crypto/webcrypto/index.js';
import { createCertificateAuthority } from '../../src/cert/index.js';
import { makeServer, pump, type Endpoint } from './helpers.js';
import { pki, type Pki } from './fixtures.js';
import { slowAeadProvider } from './slow-aead.js';

let P: Pki;
let strangerCa: string;
beforeAll(async () => {
  P = await pki();
  strangerCa = (await createCertificateAuthority({ name: 'nobody trusts me', keyType: 'ecdsa-p256' })).certPem;
});

const slowAead = slowAeadProvider();

/** A client whose handler log records the order of transmits and the error. */
function loggingClient(config: ClientConfig): { ep: Endpoint; log: string[] } {
  const log: string[] = [];
  const ep = { sent: [], data: [], errors: [], info: undefined, peerClosed: false, delivered: 0 } as unknown as Endpoint;
  const handlers: ConnectionHandlers = {
    onTransmit: (b) => { log.push(`transmit ${b[0]}`); ep.sent.push(b.slice()); },
    onData: (d) => ep.data.push(d.slice()),
    onHandshakeDone: (i) => { ep.info = i; },
    onPeerClose: () => { ep.peerClosed = true; },
    onError: (e) => { log.push(`error ${e.alert}`); ep.errors.push(e); },
  };
  ep.conn = Connection.client(config, handlers);
  return { ep, log };
}

describe('the fatal alert is transmitted before onError', () => {
  for (const [name, provider] of [['pure (sync)', pureProvider], ['async AEAD', slowAead], ['webcrypto', webCryptoProvider]] as const) {
    it(`${name}: untrusted server certificate → unknown_ca reaches the server`, async () => {
      const server = makeServer({ certificate: P.server['ecdsa-p256'] });
      const { ep: client, log } = loggingClient({ servername: 'localhost', ca: [strangerCa], provider });
      client.conn.start();
      await pump(client, server);
      expect(client.errors.map((e) => e.alert)).toEqual(['unknown_ca']);
      // The alert record (type 23 under the handshake key: it is protected) precedes the error report.
      const errorAt = log.indexOf('error unknown_ca');
      expect(errorAt).toBeGreaterThan(0);
      expect(log[errorAt - 1]).toMatch(/^transmit (21|23)$/);
      expect(server.errors.map((e) => [e.alert, e.received])).toEqual([['unknown_ca', true]]);
    });
  }
});
