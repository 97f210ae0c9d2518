/** A core server Connection whose 0-RTT data (onEarlyData) is kept apart from its 1-RTT data, for the 0-RTT reviews here. */
import { Connection } from '../../src/connection/connection.js';
import type { ServerConfig } from '../../src/connection/types.js';
import { makeServer, type Endpoint } from '../connection/helpers.js';

export type EarlyEndpoint = Endpoint & { early: Uint8Array[] };

export function earlyServer(config: ServerConfig): EarlyEndpoint {
  const ep = Object.assign(makeServer({ ...config, maxEarlyData: 0 }), { early: [] as Uint8Array[] });
  ep.conn = Connection.server(config, {
    onTransmit: (b) => ep.sent.push(b.slice()),
    onData: (d) => ep.data.push(d.slice()),
    onEarlyData: (d) => ep.early.push(d.slice()),
    onHandshakeDone: (i) => { ep.info = i; },
    onError: (e) => ep.errors.push(e),
  });
  return ep;
}
