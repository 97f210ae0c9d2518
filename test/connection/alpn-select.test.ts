/**
 * The server's selectAlpnProtocol (Node's ALPNCallback, RFC 7301 §3.2): the
 * application picks from the client's list; undefined refuses with
 * no_application_protocol; a protocol the client did not offer, or a throw,
 * aborts; called once per connection, also across a HelloRetryRequest; not
 * called without ALPN; not with ALPNProtocols.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClientConfig, ServerConfig } from '../../src/connection/types.js';
import { TlsError } from '../../src/errors.js';
import { connectPair, type Endpoint } from './helpers.js';
import { pki, type Pki } from './fixtures.js';

let P: Pki;
beforeAll(async () => { P = await pki(); });

function connect(c: ClientConfig, s: Omit<ServerConfig, 'certificate'>): Promise<{ client: Endpoint; server: Endpoint }> {
  return connectPair({ servername: 'localhost', ca: [P.caPem], ...c }, { certificate: P.server['ecdsa-p256'], ...s });
}

describe('selectAlpnProtocol', () => {
  it('the application picks from the client list, seeing the server name', async () => {
    const calls: { servername: string | undefined; protocols: readonly string[] }[] = [];
    const { client, server } = await connect({ ALPNProtocols: ['h2', 'http/1.1', 'x-custom'] }, {
      selectAlpnProtocol: (p) => { calls.push(p); return p.protocols[2]; },
    });
    expect(server.errors).toEqual([]);
    expect(client.info!.alpnProtocol).toBe('x-custom');
    expect(server.info!.alpnProtocol).toBe('x-custom');
    expect(calls).toEqual([{ servername: 'localhost', protocols: ['h2', 'http/1.1', 'x-custom'] }]);
  });

  it('undefined refuses the connection with no_application_protocol', async () => {
    const { client, server } = await connect({ ALPNProtocols: ['h2'] }, { selectAlpnProtocol: () => undefined });
    expect(server.errors[0]?.alert).toBe('no_application_protocol');
    expect(client.errors[0]?.alert).toBe('no_application_protocol');
  });

  it('a protocol the client did not offer aborts with internal_error', async () => {
    const { client, server } = await connect({ ALPNProtocols: ['h2'] }, { selectAlpnProtocol: () => 'http/1.1' });
    expect(server.errors[0]?.alert).toBe('internal_error');
    expect(server.errors[0]?.message).toMatch(/"http\/1\.1", which the client did not offer/);
    expect(client.errors[0]?.alert).toBe('internal_error');
  });

  it('a throw aborts: internal_error, or the alert of a thrown TlsError', async () => {
    const a = await connect({ ALPNProtocols: ['h2'] }, { selectAlpnProtocol: () => { throw new Error('boom'); } });
    expect(a.server.errors[0]?.alert).toBe('internal_error');
    expect(a.server.errors[0]?.message).toMatch(/boom/);
    const b = await connect({ ALPNProtocols: ['h2'] }, { selectAlpnProtocol: () => { throw new TlsError('access_denied', 'not you'); } });
    expect(b.client.errors[0]?.alert).toBe('access_denied');
  });

  it('is not called when the client sends no ALPN', async () => {
    let called = 0;
    const { client, server } = await connect({}, { selectAlpnProtocol: () => { called++; return 'h2'; } });
    expect(server.errors).toEqual([]);
    expect(called).toBe(0);
    expect(client.info!.alpnProtocol).toBeUndefined();
  });

  it('is called once across a HelloRetryRequest', async () => {
    let called = 0;
    const { client, server } = await connect({ ALPNProtocols: ['h2'], groups: ['x25519', 'secp384r1'], keyShareGroups: ['x25519'] } as ClientConfig, {
      groups: ['secp384r1'],
      selectAlpnProtocol: () => { called++; return 'h2'; },
    });
    expect(server.errors).toEqual([]);
    expect(client.info!.group).toBe('secp384r1');
    expect(client.info!.alpnProtocol).toBe('h2');
    expect(called).toBe(1);
  });

  it('cannot be given with ALPNProtocols, and must be a function', async () => {
    await expect(connect({}, { ALPNProtocols: ['h2'], selectAlpnProtocol: () => 'h2' })).rejects.toThrow(/selectAlpnProtocol and ALPNProtocols/);
    await expect(connect({}, { selectAlpnProtocol: 'h2' as never })).rejects.toThrow(/selectAlpnProtocol must be a function/);
  });
});
