/**
 * One request over the Node adapter's client: connect to 127.0.0.1:PORT (SNI
 * localhost), optionally offering a saved `session`, write `request`, read
 * until the server closes. Returns what the peer answered, whether the
 * connection was resumed (isSessionReused()) and the newest session from the
 * 'session' event, to offer on the next connection.
 */
import { connect } from '../../../src/io/node.js';

export interface AdapterResult {
  reused: boolean;
  session: Buffer | undefined;
  page: string;
}

export function adapterRequest(port: number, ca: string, request: string, session?: Buffer): Promise<AdapterResult> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port, servername: 'localhost', ca, ...(session ? { session } : {}) });
    let latest: Buffer | undefined;
    let page = '';
    sock.on('session', (b: Buffer) => { latest = b; });
    sock.on('secureConnect', () => sock.write(request));
    sock.on('data', (d: Buffer) => { page += d.toString(); });
    sock.on('error', reject);
    sock.on('close', () => resolve({ reused: sock.isSessionReused(), session: latest, page }));
  });
}
